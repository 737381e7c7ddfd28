#!/bin/sh
# LumixAI: POST /v1/images/jobs, GET /v1/images/jobs/$JOB_ID every 2 s, GET .../download -o.
B="$IMAGEGEN_BASE_URL"; LUMIXAI_API_KEY="$IMAGEGEN_API_KEY"
PROMPT=$(printf %s "$IMAGEGEN_PROMPT" | jq -Rs .)
JOB_ID=$(curl -sS -X POST "$B/v1/images/jobs" \
  -H "X-API-Key: $LUMIXAI_API_KEY" \
  -H "Content-Type: application/json" \
  -d "{ \"model\": \"imagen-nano-banana-2-flash\", \"prompt\": $PROMPT, \"aspectRatio\": \"16:9\", \"resolution\": \"2k\" }" | jq -r .id) || exit 1
echo "job $JOB_ID"
polls=$((IMAGEGEN_TIMEOUT_MS / 2000 + 1))
while [ "$polls" -gt 0 ]; do
  STATUS=$(curl -sS "$B/v1/images/jobs/$JOB_ID" -H "X-API-Key: $LUMIXAI_API_KEY" | jq -r .status)
  case "$STATUS" in done) break ;; error) echo "job $JOB_ID ended in error" >&2; exit 1 ;; esac
  polls=$((polls - 1)); sleep 2
done
curl -sS "$B/v1/images/results/$JOB_ID/download" \
  -H "X-API-Key: $LUMIXAI_API_KEY" \
  -L \
  -o "$IMAGEGEN_OUTPUT"
