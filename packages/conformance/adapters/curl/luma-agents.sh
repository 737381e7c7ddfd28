#!/bin/sh
# Luma Agents: POST /generations, GET /generations/{id} until completed or failed, curl output[0].url -o.
B="$IMAGEGEN_BASE_URL"; LUMA_AGENTS_API_KEY="$IMAGEGEN_API_KEY"
PROMPT=$(printf %s "$IMAGEGEN_PROMPT" | jq -Rs .)
ID=$(curl -sS "$B/generations" \
    -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $LUMA_AGENTS_API_KEY" \
    -d "{ \"prompt\": $PROMPT }" | jq -r .id) || exit 1
echo "generation $ID"
polls=$((IMAGEGEN_TIMEOUT_MS / 2000 + 1))
while [ "$polls" -gt 0 ]; do
  GENERATION=$(curl -sS "$B/generations/$ID" -H "Authorization: Bearer $LUMA_AGENTS_API_KEY")
  case "$(printf %s "$GENERATION" | jq -r .state)" in completed) break ;; failed) echo "generation $ID: $GENERATION" >&2; exit 1 ;; esac
  polls=$((polls - 1)); sleep 2
done
curl -sS "$(printf %s "$GENERATION" | jq -r '.output[0].url')" -o "$IMAGEGEN_OUTPUT"
