#!/usr/bin/env bash
# Fetch pinned browser libraries from the npm registry and copy their
# minified distribution files into internal/web/static/vendor/.
#
# The vendored files are committed, so building Icarus never needs Node.
# Re-running this script is safe: each library's target directory is
# rebuilt from scratch from the pinned package tarball.
#
# Requires: npm, tar, sha512sum.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vendor_dir="${repo_root}/internal/web/static/vendor"

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT

# fetch NAME VERSION SHA512: downloads NAME@VERSION, checks the tarball
# against the pinned SHA-512 (hex) and extracts it to $tmp/NAME/package.
fetch() {
	local name="$1" version="$2" want_sha="$3"
	local dir="${tmp}/${name}"
	mkdir -p "${dir}"
	(cd "${dir}" && npm pack --silent "${name}@${version}" >/dev/null)
	local tgz
	tgz="$(find "${dir}" -maxdepth 1 -name '*.tgz' -print -quit)"
	if [[ -z "${tgz}" ]]; then
		echo "vendor.sh: npm pack produced no tarball for ${name}@${version}" >&2
		exit 1
	fi
	local got_sha
	got_sha="$(sha512sum "${tgz}" | cut -d' ' -f1)"
	if [[ "${got_sha}" != "${want_sha}" ]]; then
		echo "vendor.sh: checksum mismatch for ${name}@${version}" >&2
		echo "  want ${want_sha}" >&2
		echo "  got  ${got_sha}" >&2
		exit 1
	fi
	tar -xzf "${tgz}" -C "${dir}"
	# Guard against a registry serving something other than the pin.
	local got
	got="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "${dir}/package/package.json" | head -n1)"
	if [[ "${got}" != "${version}" ]]; then
		echo "vendor.sh: expected ${name}@${version}, got ${got}" >&2
		exit 1
	fi
}

# --- Leaflet -------------------------------------------------------------
leaflet_version="1.9.4"
# SHA-512 of leaflet-1.9.4.tgz (npm integrity
# sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==).
leaflet_sha512="9f14b5ca7cc93a63a51e9fa22f71725aa2bcf46b4d2fc53caef94c3ac41d4d3b2cc59c025e1f0dd8d07718340e2fe611dd79d6c99031c108b15116fe140ef83c"
fetch leaflet "${leaflet_version}" "${leaflet_sha512}"
src="${tmp}/leaflet/package"
dst="${vendor_dir}/leaflet@${leaflet_version}"
rm -rf "${dst}"
mkdir -p "${dst}/images"
cp "${src}/dist/leaflet.js" "${dst}/leaflet.js"
cp "${src}/dist/leaflet.css" "${dst}/leaflet.css"
cp "${src}/dist/images/"*.png "${dst}/images/"
cp "${src}/LICENSE" "${dst}/LICENSE"

echo "vendored leaflet@${leaflet_version} -> ${dst#"${repo_root}"/}"
