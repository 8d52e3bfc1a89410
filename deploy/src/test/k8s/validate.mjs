// Validates Kubernetes manifests against the schemas of the API objects they declare: node validate.mjs FILE...
// Every document must be of a known apiVersion and kind (core, apps, KEDA, Strimzi); prints one line per document
// and exits 1 if any fails (type errors, missing required fields, unknown enum values).
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const modules = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "batch/v1": "kubernetes-models/batch/v1",
  "keda.sh/v1alpha1": "@kubernetes-models/keda/keda.sh/v1alpha1",
  "kafka.strimzi.io/v1beta2": "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2",
};

let failures = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      console.log(`FAIL ${file}: YAML: ${doc.errors[0].message}`);
      failures++;
      continue;
    }
    const obj = doc.toJS();
    if (obj == null) continue;
    const where = `${file}: ${obj.apiVersion} ${obj.kind} ${obj.metadata?.name}`;
    const module = modules[obj.apiVersion];
    const type = module && (await import(module))[obj.kind];
    if (!type) {
      console.log(`FAIL ${where}: no schema known for this apiVersion and kind`);
      failures++;
      continue;
    }
    try {
      new type(obj).validate();
      console.log(`ok   ${where}`);
    } catch (e) {
      console.log(`FAIL ${where}: ${e.message}`);
      failures++;
    }
  }
}
process.exit(failures ? 1 : 0);
