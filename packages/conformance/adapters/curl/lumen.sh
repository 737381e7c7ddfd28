#!/bin/sh
# Lumen: POST /v1/images/generations, GET /v1/images/generations/{id} until succeeded or failed, curl data[0].url -o.
B="$IMAGEGEN_BASE_URL"; KEY="$IMAGEGEN_API_KEY"
PROMPT=$(printf %s "$IMAGEGEN_PROMPT" | jq -Rs .)
ID=$(curl -sS "$B/v1/images/generations" \
  -H "Authorization: Bearer $KEY" \
  -H "Content-Type: application/json" \
  -d "{ \"model\": \"gpt-image-2-low\", \"prompt\": $PROMPT, \"size\": \"1024x1024\", \"n\": 1 }" | jq -r .id) || exit 1
echo "task $ID"
polls=$((IMAGEGEN_TIMEOUT_MS / 2000 + 1))
while [ "$polls" -gt 0 ]; do
  TASK=$(curl -sS "$B/v1/images/generations/$ID" -H "Authorization: Bearer $KEY")
  case "$(printf %s "$TASK" | jq -r .status)" in succeeded) break ;; failed|cancelled) echo "task $ID: $TASK" >&2; exit 1 ;; esac
  polls=$((polls - 1)); sleep 2
done
curl -sS "$(printf %s "$TASK" | jq -r '.data[0].url')" -o "$IMAGEGEN_OUTPUT"
