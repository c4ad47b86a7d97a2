// The API server's public surface. The registry (in-process Client with all
// Kubernetes semantics) is what the engine embeds; the HTTP server is a thin
// layer over it for kubectl and remote clients.

export { Registry, type RegistryOptions, type WriteContext, type ListRequest, type FieldValidation } from './registry/registry.js';
export type { ResourceType, PrinterColumn } from './registry/resources.js';
export type { EventInput } from './registry/events.js';
export { startApiServer, isLoopback, serverVersion, type ApiServer, type ApiServerOptions } from './server.js';
export { kubeconfigYaml, writeKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
