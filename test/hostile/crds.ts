// CRD manifests for the hostile-input tests: one served version whose
// spec schema the test writes (YAML lines indented under `spec:`).

export function specCrd(plural: string, kind: string, specSchema: string): string {
  return `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: ${plural}, singular: ${kind.toLowerCase()}, kind: ${kind}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
${specSchema}
`;
}
