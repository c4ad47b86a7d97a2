// Layering rules for src/ (run by `npm run lint`, which `npm test` runs first).
//
// Key idea: each top-level folder of src/ is a layer; a layer may import only
// layers below it (or its own), and no module may take part in an import cycle.
// docs/architecture.md explains the layers; this file is what keeps them so.
//   0  starlark, api, net       (leaf libraries)
//   1  store, client            (storage backends, the HTTP client)
//   2  controller, apiserver    (controller runtime, the API server)
//   3  reconciler, allocation,  (what runs inside a controller;
//      ui                       the web UI's server side and browser code)
//   4  runner                   (load a project, run it)
//   5  cli                      (choreoctl)
// Trade-off: layers of one level may import each other; the rule only forbids
// pointing up, which is what keeps the lower layers reusable on their own.

// Known violations (.dependency-cruiser-known-violations.json, written by
// `npx depcruise-baseline src --config .dependency-cruiser.cjs`) are reported
// but do not fail; the file is empty today and should stay so. A new violation
// fails `npm run lint`.
const severity = "error";

const layers = [
  ["starlark", "api", "net"],
  ["store", "client"],
  ["controller", "apiserver"],
  ["reconciler", "allocation", "ui"],
  ["runner"],
  ["cli"],
];

const upward = layers.slice(0, -1).map((level, i) => {
  const above = layers.slice(i + 1).flat();
  return {
    name: `layer-${level.join("-")}-points-up`,
    comment: `${level.join(", ")} may not import ${above.join(", ")} (layer ${i} imports only layers <= ${i})`,
    severity,
    from: { path: `^src/(${level.join("|")})/` },
    to: { path: `^src/(${above.join("|")})/` },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "an import cycle ties modules that should be understood (and tested) one at a time",
      severity,
      from: { path: "^src/" },
      to: { circular: true },
    },
    ...upward,
    {
      name: "starlark-through-its-entry-point",
      comment:
        "outside src/starlark, import the interpreter through starlark/index.ts (its public API) or the test harness's own modules under starlark/testing/ (kept apart so the CLI can register `star` without loading the interpreter)",
      severity,
      from: { path: "^src/", pathNot: "^src/starlark/" },
      to: { path: "^src/starlark/", pathNot: "^src/starlark/(index\\.ts|testing/[^/]+\\.ts)$" },
    },
    {
      name: "starlark-values-below-evaluator",
      comment:
        "starlark/values (values, operators, method tables) is the bottom of the interpreter, as starlark-go's package starlark holds Value and the methods of the built-in types: it may not import the builtins, compiler or front end",
      severity,
      from: { path: "^src/starlark/values/" },
      to: { path: "^src/starlark/(?!values/)" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // TypeScript 7 is a native compiler without the JS API dependency-cruiser
    // reads .ts with, so parse with swc; type-only imports count too.
    parser: "swc",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    // Sources import siblings as "./x.js" (NodeNext); map them back to the .ts file.
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
