#!/usr/bin/env bash
# Installs Spark's S3 connector (Hadoop S3A) for the offline cloud run, pinned:
# scripts/spark-s3-jars.sh [folder]. pyspark 3.5.4 ships the Hadoop 3.3.4
# client, so the matching hadoop-aws 3.3.4 and the AWS SDK bundle it was built
# against (1.12.262) come from Maven Central, checked against the hashes below.
# Idempotent and instant once installed; the offline Glue runner puts the
# folder on Spark's class path and maps s3:// to S3A (offline/glue/).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-.spark-jars}
maven=${MAVEN_REPOSITORY:-https://repo1.maven.org/maven2}

# path under the repository, then the jar's sha256
jars=(
  "org/apache/hadoop/hadoop-aws/3.3.4/hadoop-aws-3.3.4.jar 53f9ae03c681a30a50aa17524bd9790ab596b28481858e54efd989a826ed3a4a"
  "com/amazonaws/aws-java-sdk-bundle/1.12.262/aws-java-sdk-bundle-1.12.262.jar 873fe7cf495126619997bec21c44de5d992544aea7e632fdc77adb1a0915bae5"
)

# A stamp of the pinned list makes the common case (nothing changed) skip hashing 280 MB.
stamp="$dir/.installed"
wanted=$(printf '%s\n' "${jars[@]}" | sha256sum | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  exit 0
fi

mkdir -p "$dir"
for entry in "${jars[@]}"; do
  read -r path sha256 <<<"$entry"
  file="$dir/$(basename "$path")"
  if [[ -f "$file" ]] && echo "$sha256  $file" | sha256sum --check --status; then
    continue
  fi
  echo "spark-s3-jars: downloading $(basename "$path") (first run only)" >&2
  curl --fail --silent --show-error --location --retry 3 --output "$file.part" "$maven/$path"
  if ! echo "$sha256  $file.part" | sha256sum --check --status; then
    rm -f "$file.part"
    echo "spark-s3-jars: $(basename "$path") from $maven does not have the pinned sha256 $sha256" >&2
    exit 1
  fi
  mv "$file.part" "$file"
done
echo "$wanted" > "$stamp"
