// The built-in kuid backend CRDs (`*.be.kuid.dev`, v1alpha1): Index, Claim and
// Entry for ipam, as, vlan, genid and extcomm — the schemas of the original
// choreo's internal CRDs (pkg/server/choreo/crdloader/internal) and kuid's
// crds/, so existing projects' claims and indexes validate unchanged.
//
// The generated originals repeat the same fragments (metav1.Condition,
// metav1.LabelSelector, user labels) in every file; we build each CRD from
// those fragments instead of embedding fifteen near-identical YAML files. The
// schema content (fields, types, formats, enums, patterns, required lists,
// x-kubernetes-* markers, descriptions of the domain fields) is the API data
// and is reproduced as is. One deliberate addition: the status subresource
// (kuid marks every type `+kubebuilder:subresource:status`), so a project that
// applies a claim's spec never fights the backend over its status. And the
// prefix types of both kuid generations are accepted (see prefixTypes), with
// the IPIndex prefix's own prefixType (choreo v0.0.13 on).

import type { KObject } from '../api/object.js';
import { buildCRD } from '../api/crd.js';
import type { JSONSchemaProps } from '../api/schema/index.js';

type Schema = Record<string, unknown>;

const str = (description: string): Schema => ({ description, type: 'string' });
const int = (description: string, format: 'int32' | 'int64'): Schema => ({ description, format, type: 'integer' });
const bool = (description: string): Schema => ({ description, type: 'boolean' });
const labels: Schema = { additionalProperties: { type: 'string' }, description: 'Labels as user defined labels', type: 'object' };

const conditions: Schema = {
  description: 'Conditions of the resource.',
  items: {
    properties: {
      lastTransitionTime: {
        description: 'lastTransitionTime is the last time the condition transitioned from one status to another.\nThis should be when the underlying condition changed.  If that is not known, then using the time when the API field changed is acceptable.',
        format: 'date-time',
        type: 'string',
      },
      message: { description: 'message is a human readable message indicating details about the transition.\nThis may be an empty string.', maxLength: 32768, type: 'string' },
      observedGeneration: {
        description:
          'observedGeneration represents the .metadata.generation that the condition was set based upon.\nFor instance, if .metadata.generation is currently 12, but the .status.conditions[x].observedGeneration is 9, the condition is out of date\nwith respect to the current state of the instance.',
        format: 'int64',
        minimum: 0,
        type: 'integer',
      },
      reason: {
        description:
          "reason contains a programmatic identifier indicating the reason for the condition's last transition.\nProducers of specific condition types may define expected values and meanings for this field,\nand whether the values are considered a guaranteed API.\nThe value should be a CamelCase string.\nThis field may not be empty.",
        maxLength: 1024,
        minLength: 1,
        pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
        type: 'string',
      },
      status: { description: 'status of the condition, one of True, False, Unknown.', enum: ['True', 'False', 'Unknown'], type: 'string' },
      type: {
        description:
          'type of condition in CamelCase or in foo.example.com/CamelCase.\n---\nMany .condition.type values are consistent across resources like Available, but because arbitrary conditions can be\nuseful (see .node.status.conditions), the ability to deconflict is important.\nThe regex it matches is (dns1123SubdomainFmt/)?(qualifiedNameFmt)',
        maxLength: 316,
        pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
        type: 'string',
      },
    },
    required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
    type: 'object',
  },
  type: 'array',
  'x-kubernetes-list-map-keys': ['type'],
  'x-kubernetes-list-type': 'map',
};

const selector: Schema = {
  description: 'Selector defines the selector criterias',
  properties: {
    matchExpressions: {
      description: 'matchExpressions is a list of label selector requirements. The requirements are ANDed.',
      items: {
        description: 'A label selector requirement is a selector that contains values, a key, and an operator that\nrelates the key and values.',
        properties: {
          key: { description: 'key is the label key that the selector applies to.', type: 'string' },
          operator: { description: "operator represents a key's relationship to a set of values.\nValid operators are In, NotIn, Exists and DoesNotExist.", type: 'string' },
          values: {
            description:
              'values is an array of string values. If the operator is In or NotIn,\nthe values array must be non-empty. If the operator is Exists or DoesNotExist,\nthe values array must be empty. This array is replaced during a strategic\nmerge patch.',
            items: { type: 'string' },
            type: 'array',
            'x-kubernetes-list-type': 'atomic',
          },
        },
        required: ['key', 'operator'],
        type: 'object',
      },
      type: 'array',
      'x-kubernetes-list-type': 'atomic',
    },
    matchLabels: {
      additionalProperties: { type: 'string' },
      description:
        'matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels\nmap is equivalent to an element of matchExpressions, whose key field is "key", the\noperator is "In", and the values array contains only "value". The requirements are ANDed.',
      type: 'object',
    },
  },
  type: 'object',
  'x-kubernetes-map-type': 'atomic',
};

const prefixPattern =
  '(([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\\.){3}([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])/(([0-9])|([1-2][0-9])|(3[0-2]))|((:|[0-9a-fA-F]{0,4}):)([0-9a-fA-F]{0,4}:){0,5}((([0-9a-fA-F]{0,4}:)?(:|[0-9a-fA-F]{0,4}))|(((25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])))(/(([0-9])|([0-9]{2})|(1[0-1][0-9])|(12[0-8])))';

const indexPrefixes = (description: string): Schema => ({
  description,
  items: {
    properties: { labels, prefix: { description: 'Prefix defines the ip cidr in prefix notation.', pattern: prefixPattern, type: 'string' }, prefixType: indexPrefixType },
    required: ['prefix'],
    type: 'object',
  },
  type: 'array',
});

// kuid's two generations of prefix types: network/aggregate/pool (choreo up to v0.0.19) and
// network/regular (v0.0.20); both are accepted so projects of either generation validate.
const prefixTypes = ['network', 'aggregate', 'pool', 'regular'];
const prefixType: Schema = {
  description:
    'PrefixType defines the prefixtype of IPEntry; for address and range claims this is not relevant\n- network kind is used for physical, virtual nics on a device\n- pool kind is used for allocating dedicated IP addresses\n- aggregate kind is used for claiming an aggregate prefix; only used for networkInstance prefixes',
  enum: prefixTypes,
  type: 'string',
};
const indexPrefixType: Schema = {
  description:
    'PrefixType defines the prefixtype of IPIndex;\n- network kind is used for physical, virtual nics on a device\n- pool kind is used for allocating dedicated IP addresses\n- aggregate kind is used for claiming an aggregate prefix; only used for networkInstance prefixes',
  enum: prefixTypes,
  type: 'string',
};
const addressFamily: Schema = { description: 'AddressFamily defines the address family for the IP claim', enum: ['ipv4', 'ipv6'], type: 'string' };

function crd(group: string, kind: string, plural: string, spec: Schema, status: Schema): KObject {
  const meta: Record<string, JSONSchemaProps> = {
    apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object.\nServers should convert recognized schemas to the latest internal value, and\nmay reject unrecognized values.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources', type: 'string' },
    kind: {
      description:
        'Kind is a string value representing the REST resource this object represents.\nServers may infer this from the endpoint the client submits requests to.\nCannot be updated.\nIn CamelCase.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
      type: 'string',
    },
    metadata: { type: 'object' },
  };
  return buildCRD({
    group,
    kind,
    plural,
    version: 'v1alpha1',
    schema: {
      description: `${kind} is the Schema for the ${kind} API`,
      properties: { ...meta, spec: { description: `${kind}Spec defines the desired state of ${kind}`, ...spec }, status: { description: `${kind}Status defines the observed state of ${kind}`, ...status } },
      type: 'object',
    },
  });
}

const obj = (properties: Schema, required?: string[]): Schema => ({ properties, ...(required ? { required } : {}), type: 'object' });

// --- ipam.be.kuid.dev ------------------------------------------------------------

const ipam = 'ipam.be.kuid.dev';
const ipIndex = crd(
  ipam,
  'IPIndex',
  'ipindices',
  obj({ prefixes: indexPrefixes('Prefixes define the aggregate prefixes for the network instance\nA Network instance needs at least 1 prefix to be defined to become operational') }, ['prefixes']),
  obj({ conditions, prefixes: indexPrefixes('Prefixes defines the prefixes, claimed through the IPAM backend') }),
);
const ipClaim = crd(
  ipam,
  'IPClaim',
  'ipclaims',
  obj(
    {
      address: str('Address defines the address for the IP claim'),
      addressFamily,
      createPrefix: bool('CreatePrefix defines if this prefix must be created. Only used for dynamic prefixes\ne.g. non /32 ipv4 and non /128 ipv6 prefixes'),
      defaultGateway: bool('DefaultGateway defines if the address acts as a default gateway'),
      idx: int('Index defines the index of the IP Claim, used to get a deterministic IP from a prefix\nIf not present we claim a random prefix from a prefix', 'int32'),
      index: str('Index defines the index for the IP Entry'),
      labels,
      prefix: str('Prefix defines the prefix for the IP claim'),
      prefixLength: int('PrefixLength defines the prefix length for the IP Claim, Must be set when CreatePrefic is set\nIf not present we use assume /32 for ipv4 and /128 for ipv6', 'int32'),
      prefixType,
      range: str('Range defines the range for the IP claim'),
      selector,
    },
    ['index'],
  ),
  obj({
    address: str('Address defines the address, claimed through the IPAM backend'),
    conditions,
    defaultGateway: str('DefaultGateway defines the default gateway IP for the claimed prefix\nDefaultGateway is only relevant for prefix kind = network'),
    expiryTime: str('ExpiryTime defines when the claim expires'),
    prefix: str('Prefix defines the prefix, claimed through the IPAM backend'),
    range: str('Range defines the range, claimed through the IPAM backend'),
  }),
);
const ipEntry = crd(
  ipam,
  'IPEntry',
  'ipentries',
  obj(
    {
      addressFamily,
      claimType: { description: 'ClaimType defines the claimType of the IP Entry', enum: ['staticAddress', 'staticPrefix', 'staticRange', 'dynamicPrefix', 'dynamicAddress'], type: 'string' },
      defaultGateway: bool('DefaultGateway defines if the address acts as a default gateway'),
      index: str('Index defines the index for the IP Entry'),
      indexEntry: bool('IndexEntry identifies if the entry is originated from an IP Index'),
      labels,
      prefix: str('Prefix defines the prefix for the IP entry; which can be an expanded prefix from the prefix, range or address'),
      prefixType,
    },
    ['index', 'indexEntry', 'prefix'],
  ),
  obj({ conditions }),
);

// --- numeric ID backends ------------------------------------------------------------

interface IdKinds {
  group: string;
  prefix: string; // kind prefix: AS, VLAN, GENID, EXTCOMM
  indexPlural: string;
  claimPlural: string;
  entryPlural: string;
  format: 'int32' | 'int64';
  indexSpec: Schema;
  indexRequired?: string[];
}

function idCrds(k: IdKinds): KObject[] {
  const entry = obj(
    {
      claimType: str('ClaimType defines the claimType of the resource'),
      id: str('ID defines the id of the resource in the tree'),
      index: str('Index defines the index for the resource'),
      labels,
      selector,
    },
    ['index'],
  );
  return [
    crd(k.group, `${k.prefix}Index`, k.indexPlural, obj({ labels, ...k.indexSpec }, k.indexRequired), obj({ conditions, maxID: int(`MaxID defines the max ${k.prefix} ID the index supports`, k.format), minID: int(`MinID defines the min ${k.prefix} ID the index supports`, k.format) })),
    crd(
      k.group,
      `${k.prefix}Claim`,
      k.claimPlural,
      obj(
        {
          id: int(`ID defines the ${k.prefix} ID for the ${k.prefix} claim`, k.format),
          index: str(`Index defines the index for the ${k.prefix} Claim`),
          labels,
          range: str(`Range defines the ${k.prefix} range for the ${k.prefix} claim\nThe following notation is used: start-end <start-ID>-<end-ID>\nthe IDs in the range must be consecutive`),
          selector,
        },
        ['index'],
      ),
      obj({
        conditions,
        expiryTime: str('ExpiryTime defines when the claim expires'),
        id: int(`ID defines the ${k.prefix} ID claimed through the backend`, k.format),
        range: str(`Range defines the ${k.prefix} range claimed through the backend`),
      }),
    ),
    crd(k.group, `${k.prefix}Entry`, k.entryPlural, entry, obj({ conditions })),
  ];
}

const minMax = (what: string, format: 'int32' | 'int64'): Schema => ({
  maxID: int(`MaxID defines the max ${what} ID the index supports`, format),
  minID: int(`MinID defines the min ${what} ID the index supports`, format),
});

/** Every built-in CRD, in install order (Index, Claim, Entry per backend). */
export const allocationCrds: KObject[] = [
  ipIndex,
  ipClaim,
  ipEntry,
  ...idCrds({ group: 'as.be.kuid.dev', prefix: 'AS', indexPlural: 'asindexes', claimPlural: 'asclaims', entryPlural: 'asentries', format: 'int32', indexSpec: minMax('AS', 'int32') }),
  ...idCrds({ group: 'vlan.be.kuid.dev', prefix: 'VLAN', indexPlural: 'vlanindices', claimPlural: 'vlanclaims', entryPlural: 'vlanentries', format: 'int32', indexSpec: minMax('VLAN', 'int32') }),
  ...idCrds({
    group: 'genid.be.kuid.dev',
    prefix: 'GENID',
    indexPlural: 'genidindexes',
    claimPlural: 'genidclaims',
    entryPlural: 'genidentries',
    format: 'int64',
    indexSpec: { ...minMax('GENID', 'int64'), type: str('Type defines the type of the GENID\n16bit, 32bit, 48bit, 64bit') },
  }),
  ...idCrds({
    group: 'extcomm.be.kuid.dev',
    prefix: 'EXTCOMM',
    indexPlural: 'extcommindexes',
    claimPlural: 'extcommclaims',
    entryPlural: 'extcommentries',
    format: 'int64',
    indexSpec: {
      ...minMax('EXTCOMM', 'int64'),
      globalID: str('GlobalID is interpreted dependeing on the type\nAS in case of 2byteAS, 4byteAS\nIPV4 addrress\nirrelevant for the opaque type'),
      subType: str('SubType defines the subTyoe of the extended community\nrouteTarget, routeOrigin;'),
      transitive: bool('Transitive defines the transative nature of the extended community'),
      type: str('Type defines the type of the extended community\n2byteAS, 4byteAS, ipv4Address, opaque'),
    },
    indexRequired: ['subType', 'type'],
  }),
];
