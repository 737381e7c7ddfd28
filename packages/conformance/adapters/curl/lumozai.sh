#!/bin/sh
# LumozAI: POST /run (form), POST /check every 2 s while only a request_id came back, curl output -o.
B="$IMAGEGEN_BASE_URL"; YOUR_API_KEY="$IMAGEGEN_API_KEY"
RUN=$(curl -sS -X POST "$B/run" \
  -H "Authorization: Bearer $YOUR_API_KEY" \
  -H "Accept: application/json" \
  -d "model_id=hidream-l1" \
  --data-urlencode "prompt=$IMAGEGEN_PROMPT") || exit 1
REQUEST_ID=$(printf %s "$RUN" | jq -r .data.request_id)
OUTPUT=$(printf %s "$RUN" | jq -r '.data.output // empty')
echo "request $REQUEST_ID"
polls=$((IMAGEGEN_TIMEOUT_MS / 2000 + 1))
while [ -z "$OUTPUT" ] && [ "$polls" -gt 0 ]; do
  CHECK=$(curl -sS -X POST "$B/check" \
    -H "Authorization: Bearer $YOUR_API_KEY" \
    -H "Accept: application/json" \
    -d "request_id=$REQUEST_ID")
  case "$(printf %s "$CHECK" | jq -r .data.status)" in completed) OUTPUT=$(printf %s "$CHECK" | jq -r .data.output) ;; failed) echo "request $REQUEST_ID: $CHECK" >&2; exit 1 ;; esac
  [ -n "$OUTPUT" ] || { polls=$((polls - 1)); sleep 2; }
done
curl -sS "$OUTPUT" -o "$IMAGEGEN_OUTPUT"
