#!/bin/sh
# useapi.net: POST /images, GET /jobs/{jobid} of the first image every 5 s, curl response.image.url -o.
B="$IMAGEGEN_BASE_URL"; TOKEN="$IMAGEGEN_API_KEY"
PROMPT=$(printf %s "$IMAGEGEN_PROMPT" | jq -Rs .)
JOBID=$(curl -sS -X POST \
  -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" \
  -d "{ \"prompt\": $PROMPT, \"model\": \"photon-v2\", \"resolution\": \"1080p\", \"aspect_ratio\": \"16:9\" }" \
  "$B/images" | jq -r '.jobids[0]') || exit 1
echo "job $JOBID"
polls=$((IMAGEGEN_TIMEOUT_MS / 5000 + 1))
while [ "$polls" -gt 0 ]; do
  JOB=$(curl -sS "$B/jobs/$JOBID" -H "Authorization: Bearer $TOKEN")
  case "$(printf %s "$JOB" | jq -r .status)" in completed) break ;; failed) echo "job $JOBID: $JOB" >&2; exit 1 ;; esac
  polls=$((polls - 1)); sleep 5
done
curl -sS "$(printf %s "$JOB" | jq -r '.response.image.url')" -o "$IMAGEGEN_OUTPUT"
