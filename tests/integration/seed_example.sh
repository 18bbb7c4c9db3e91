# 1. Submit
curl -X POST OCRCHAT_BASE/api/v1/ocr/ \
  -H "Authorization: Bearer OCRCHAT_TOKEN" \
  -F "file=@invoice.pdf" -F "tier=vlm"

# 2. Poll  (use the uuid from step 1)
curl OCRCHAT_BASE/api/v1/ocr/UUID/ \
  -H "Authorization: Bearer OCRCHAT_TOKEN"

# 3. Download
curl -L "OCRCHAT_BASE/api/v1/ocr/UUID/download/?format=md" \
  -H "Authorization: Bearer OCRCHAT_TOKEN" -o result.md
