// Shared fixtures: a Widget CRD with a status subresource, printer columns
// (one wide-only), defaults and validation rules, and instance manifests.

export const widgetCrd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wd]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    additionalPrinterColumns:
    - name: Size
      type: integer
      jsonPath: .spec.size
    - name: Color
      type: string
      jsonPath: .spec.color
      priority: 1
    - name: Ready
      type: string
      jsonPath: .status.conditions[?(@.type=="Ready")].status
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        description: A Widget is a thing.
        properties:
          spec:
            type: object
            description: Desired state.
            required: [size]
            properties:
              size:
                type: integer
                minimum: 1
                description: How big.
              color:
                type: string
                default: blue
              items:
                type: array
                items:
                  type: string
          status:
            type: object
            properties:
              conditions:
                type: array
                items:
                  type: object
                  properties:
                    type: {type: string}
                    status: {type: string}
`;

export function widget(name: string, spec: string, extra = ''): string {
  return `apiVersion: example.com/v1
kind: Widget
metadata:
  name: ${name}
${extra}spec:
${spec}
`;
}
