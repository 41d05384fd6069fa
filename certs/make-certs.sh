#!/usr/bin/env bash
# Development certificates for the demo and the tests, made with the openssl CLI:
#
#   ca.crt, ca.key          a local CA ("Pounce Dev CA"), valid 30 days
#   server.pem              Pound's Cert format: certificate, CA chain, key (one file)
#                           for localhost, 127.0.0.1 and ::1
#   server.crt, server.key  the same, separately (for curl --cacert, backends)
#   alt.pem                 a second server certificate for SNI: alt.localhost and
#                           *.alt.localhost
#   client.pem              a client certificate + key ("CN=Pounce Dev Client"),
#                           for ClientCert; client.crt and client.key separately
#
#   certs/make-certs.sh [DIR]     default DIR: certs/generated (git-ignored)
#   certs/make-certs.sh --force   remake even if the files are there and valid
#
# Nothing here is secret: the keys are made on your machine and never committed.
# Re-running is cheap: existing certificates that stay valid for another day are kept.
set -euo pipefail

force=0
dir=
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "usage: $0 [--force] [DIR]" >&2; exit 2 ;;
        *) dir=$arg ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
dir=${dir:-$here/generated}
command -v openssl >/dev/null || { echo "make-certs: the openssl command is needed" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"

valid() { [ -s "$1" ] && openssl x509 -in "$1" -noout -checkend 86400 >/dev/null 2>&1; }

if [ "$force" = 0 ] && valid ca.crt && valid server.crt && valid alt.pem && valid client.crt \
    && [ -s server.pem ] && [ -s client.pem ]; then
    echo "make-certs: certificates in $dir are current" >&2
    exit 0
fi

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

# Signs NAME.csr with the CA; $2 is the extension text.
sign() {
    printf '%s\n' "$2" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
        -sha256 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

key ca.key
openssl req -x509 -new -key ca.key -days 30 -sha256 -subj "/O=Pounce/CN=Pounce Dev CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.crt 2>/dev/null

server_ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth"

key server.key
openssl req -new -key server.key -subj "/O=Pounce/CN=localhost" -out server.csr 2>/dev/null
sign server "$server_ext
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
cat server.crt ca.crt server.key > server.pem
chmod 600 server.pem

key alt.key
openssl req -new -key alt.key -subj "/O=Pounce/CN=alt.localhost" -out alt.csr 2>/dev/null
sign alt "$server_ext
subjectAltName=DNS:alt.localhost,DNS:*.alt.localhost"
cat alt.crt ca.crt alt.key > alt.pem
chmod 600 alt.pem
rm -f alt.crt alt.key

key client.key
openssl req -new -key client.key -subj "/O=Pounce/CN=Pounce Dev Client" -out client.csr 2>/dev/null
sign client "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
cat client.crt client.key > client.pem
chmod 600 client.pem
rm -f ca.srl

echo "make-certs: wrote ca.crt, server.pem, alt.pem, client.pem (and their parts) to $dir" >&2
