// Validation of a CRD version's scale subresource paths, as kube-apiserver's
// validateCustomResourceDefinitionSubresources: simple JSON paths,
// specReplicasPath under .spec, statusReplicasPath under .status,
// labelSelectorPath under .spec or .status.

import { type FieldError, required, invalid } from './fielderrors.js';
import { pathSteps } from './selectablefields.js';

export function validateScalePaths(scale: { specReplicasPath?: string; statusReplicasPath?: string; labelSelectorPath?: string } | undefined, path: string): FieldError[] {
  if (!scale) return [];
  const errs: FieldError[] = [];
  const check = (name: 'specReplicasPath' | 'statusReplicasPath' | 'labelSelectorPath', roots: string[], msg: string, isRequired: boolean) => {
    const v = scale[name];
    if (!v) {
      if (isRequired) errs.push(required(`${path}.${name}`));
      return;
    }
    const steps = pathSteps(v);
    if (!steps || steps.length < 2 || !roots.includes(steps[0])) errs.push(invalid(`${path}.${name}`, v, msg));
  };
  check('specReplicasPath', ['spec'], 'should be a json path under .spec', true);
  check('statusReplicasPath', ['status'], 'should be a json path under .status', true);
  check('labelSelectorPath', ['spec', 'status'], 'should be a json path under either .spec or .status', false);
  return errs;
}
