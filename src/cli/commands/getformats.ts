// The output formats of `choreoctl get`, in a module of their own: the command
// shows them in --help and its action (loaded on use) checks them, without
// either importing the other.
export type Output = 'table' | 'wide' | 'yaml' | 'json' | 'name';
export const outputs: Output[] = ['table', 'wide', 'yaml', 'json', 'name'];
