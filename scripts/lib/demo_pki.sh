# shellcheck shell=bash
# A throwaway PKI for the demo and the tests: one demo CA, the server certificate the gateway and
# every simulator present on loopback, the municipality's organisation certificate (what the
# gateway shows the partners, and what a simulator shows the gateway), and one client certificate
# per case system. Nothing here is for production: the CA key lies next to what it signed.
# Sourced, not run. Needs the openssl command.
#
#   make_demo_pki DIR [ORGANISATIONSNUMMER [KOMMUN [CASE_SYSTEM...]]]
#
# Writes into DIR (created 0700):
#   ca.pem ca.key                          the demo CA
#   server.pem server.key                  subjectAltName DNS:localhost, IP:127.0.0.1
#   organisation.pem organisation.key      subject serialNumber=ORGANISATIONSNUMMER, O=KOMMUN
#   case-systems/ID.pem case-systems/ID.key  one per CASE_SYSTEM, subject CN=ID, O=KOMMUN
# Keys are EC P-256, mode 0600. Certificates are valid for DEMO_PKI_DAYS days (30) from now.
# Idempotent: a certificate is made again when it or its key is missing, it expires within a day,
# the CA no longer vouches for it, or its subject is not the one asked for; a new CA re-makes all.

DEMO_PKI_ORGANISATIONSNUMMER=2120000142 # Stockholms stad, as ingivare in config/demo.json
DEMO_PKI_KOMMUN="Stockholms stad"
DEMO_PKI_CASE_SYSTEMS=(stockholm-ekb jobbtorg-portal) # the case systems of config/demo.json

# demo_pki_fresh <cert> <key> <ca> <subject>: the pair exists, the CA signed the certificate, its
# subject (RFC 2253 form) is <subject> and it is valid for more than a day yet.
demo_pki_fresh() {
  local cert="$1" key="$2" ca="$3" subject="$4"
  [[ -s "$cert" && -s "$key" ]] || return 1
  openssl x509 -in "$cert" -noout -checkend 86400 >/dev/null 2>&1 || return 1
  if [[ "$cert" != "$ca" ]]; then
    openssl verify -CAfile "$ca" "$cert" >/dev/null 2>&1 || return 1
  fi
  [[ "$(openssl x509 -in "$cert" -noout -subject -nameopt RFC2253,-esc_msb 2>/dev/null)" == "subject=$subject" ]]
}

# demo_pki_key <path>: a new EC P-256 key, readable by its owner only from the moment it exists.
demo_pki_key() {
  rm -f "$1"
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null)
  chmod 600 "$1"
}

# demo_pki_issue <dir> <name> <subject for -subj> <extensions>: a key and a certificate signed by
# the demo CA in <dir>; <extensions> are openssl extension lines.
demo_pki_issue() {
  local dir="$1" name="$2" subject="$3" extensions="$4" days="${DEMO_PKI_DAYS:-30}"
  local work
  work="$(mktemp -d)"
  demo_pki_key "$dir/$name.key"
  printf '%s\n' "$extensions" >"$work/extensions"
  openssl req -new -utf8 -key "$dir/$name.key" -subj "$subject" -out "$work/request.csr" 2>/dev/null &&
    openssl x509 -req -in "$work/request.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
      -set_serial "0x$(openssl rand -hex 16)" -days "$days" -extfile "$work/extensions" \
      -out "$dir/$name.pem" 2>/dev/null
  local made=$?
  rm -rf "$work"
  return "$made"
}

make_demo_pki() {
  local dir="${1:?usage: make_demo_pki DIR [ORGANISATIONSNUMMER [KOMMUN [CASE_SYSTEM...]]]}"
  local organisationsnummer="${2:-$DEMO_PKI_ORGANISATIONSNUMMER}" kommun="${3:-$DEMO_PKI_KOMMUN}"
  local case_systems=("${DEMO_PKI_CASE_SYSTEMS[@]}")
  if (($# > 3)); then case_systems=("${@:4}"); fi
  local days="${DEMO_PKI_DAYS:-30}"
  # The values go into -subj, where / and \ and , would end or bend a field.
  local value
  for value in "$organisationsnummer" "$kommun" "${case_systems[@]}"; do
    if [[ -z "$value" || "$value" == *[/\\,+=]* ]]; then
      echo "make_demo_pki: '$value' cannot be part of a certificate subject" >&2
      return 2
    fi
  done
  if ! command -v openssl >/dev/null; then
    echo "make_demo_pki: the openssl command is missing (Debian package openssl)" >&2
    return 1
  fi
  mkdir -p "$dir/case-systems"
  chmod 700 "$dir"

  local ca_subject="CN=knutpunkt demo CA,O=knutpunkt demo"
  local made_ca=0
  if ! demo_pki_fresh "$dir/ca.pem" "$dir/ca.key" "$dir/ca.pem" "$ca_subject"; then
    demo_pki_key "$dir/ca.key"
    openssl req -x509 -new -utf8 -key "$dir/ca.key" -subj "/O=knutpunkt demo/CN=knutpunkt demo CA" -days "$days" \
      -set_serial "0x$(openssl rand -hex 16)" -config /dev/null \
      -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -addext "subjectKeyIdentifier=hash" -out "$dir/ca.pem" 2>/dev/null || {
      echo "make_demo_pki: cannot make the demo CA in $dir" >&2
      return 1
    }
    made_ca=1
  fi

  local leaf_extensions="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid"
  # name | subject in RFC 2253 order (as openssl prints it) | subject for -subj | extensions
  local leaves=(
    "server|CN=localhost,O=knutpunkt demo|/O=knutpunkt demo/CN=localhost|extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"
    "organisation|CN=$kommun,serialNumber=$organisationsnummer,O=$kommun,C=SE|/C=SE/O=$kommun/serialNumber=$organisationsnummer/CN=$kommun|extendedKeyUsage=clientAuth"
  )
  local id
  for id in "${case_systems[@]}"; do
    leaves+=("case-systems/$id|CN=$id,O=$kommun,C=SE|/C=SE/O=$kommun/CN=$id|extendedKeyUsage=clientAuth")
  done
  local leaf name subject subj extensions
  for leaf in "${leaves[@]}"; do
    name="${leaf%%|*}" && leaf="${leaf#*|}"
    subject="${leaf%%|*}" && leaf="${leaf#*|}"
    subj="${leaf%%|*}" && extensions="${leaf#*|}"
    if ((made_ca == 0)) && demo_pki_fresh "$dir/$name.pem" "$dir/$name.key" "$dir/ca.pem" "$subject"; then continue; fi
    demo_pki_issue "$dir" "$name" "$subj" "$leaf_extensions
$extensions" || {
      echo "make_demo_pki: cannot make $name in $dir" >&2
      return 1
    }
  done
}
