"""Verifies a Standard Webhooks signature independently of zipflux: python3 verify_signature.py SECRET
ID TIMESTAMP SIGNATURES < body. Exits 0 when one of the space-separated v1 signatures matches."""
import base64
import hashlib
import hmac
import sys

secret, msg_id, timestamp, signatures = sys.argv[1:5]
body = sys.stdin.buffer.read()
key = base64.b64decode(secret[len("whsec_"):]) if secret.startswith("whsec_") else sys.exit("bad secret")
expected = base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
given = [part.split(",", 1)[1] for part in signatures.split(" ") if part.startswith("v1,")]
sys.exit(0 if any(hmac.compare_digest(expected, sig) for sig in given) else 1)
