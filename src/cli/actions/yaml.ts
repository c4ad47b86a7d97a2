// YAML output of the `run` commands (-o yaml): yaml's stringify, in a module
// of its own so the yaml package loads only when a command prints YAML (a
// static import here also gets the package's named exports when bundled).
export { stringify } from 'yaml';
