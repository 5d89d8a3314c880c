// The cipher suites of AWS Elastic Load Balancing security policies, as AWS publishes them:
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
// (Application Load Balancers; the Network Load Balancer page,
// .../network/describe-ssl-policies.html, lists the same policies with the same suites). The
// TLS-1-0/1-2/1-2-Ext, FS and 2015-05 rows are AWS's tables as its documentation source keeps them
// (awsdocs/elb-application-load-balancers-user-guide doc_source/create-https-listener.md and
// awsdocs/elb-network-load-balancers-user-guide doc_source/create-tls-listener.md, "Security
// policies"). Only the policies below are in the table: any other name (the TLS13 Ext1/Ext2/1-0/1-1,
// FIPS, RFC9151 and 2025-09 PQ policies, whose suite tables were not available to check) leaves
// tls.weak-ciphers' note, not a verdict.
// OpenSSL names, TLS 1.3 suites aside (a cipher list never touches them).

const SUITES_2016_08 = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA', 'ECDHE-ECDSA-AES256-SHA',
  'AES128-GCM-SHA256', 'AES128-SHA256', 'AES128-SHA', 'AES256-GCM-SHA384', 'AES256-SHA256', 'AES256-SHA',
];
const SUITES_TLS13_1_2 = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384',
];
/** ELBSecurityPolicy-TLS-1-2-2017-01: the 2016-08 suites without the SHA-1 ones. */
const SUITES_TLS_1_2_2017_01 = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384',
  'AES128-GCM-SHA256', 'AES128-SHA256', 'AES256-GCM-SHA384', 'AES256-SHA256',
];
/** The FS policies (FS-2018-06, FS-1-1-2019-08, FS-1-2-2019-08): the ECDHE suites of 2016-08. */
const SUITES_FS = SUITES_2016_08.filter((s) => s.startsWith('ECDHE-'));
const SUITES_ECDHE_GCM = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'];

export const AWS_SSL_POLICIES_DOC = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html';

/** Policy name → its TLS 1.2-and-below suites ([] for a TLS 1.3-only policy). */
export const AWS_POLICY_CIPHERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['ELBSecurityPolicy-2016-08', SUITES_2016_08],
  ['ELBSecurityPolicy-2015-05', SUITES_2016_08], // "identical to ELBSecurityPolicy-2016-08"
  ['ELBSecurityPolicy-TLS-1-0-2015-04', [...SUITES_2016_08, 'DES-CBC3-SHA']],
  ['ELBSecurityPolicy-TLS-1-1-2017-01', SUITES_2016_08],
  ['ELBSecurityPolicy-TLS-1-2-2017-01', SUITES_TLS_1_2_2017_01],
  ['ELBSecurityPolicy-TLS-1-2-Ext-2018-06', SUITES_2016_08],
  ['ELBSecurityPolicy-FS-2018-06', SUITES_FS],
  ['ELBSecurityPolicy-FS-1-1-2019-08', SUITES_FS],
  ['ELBSecurityPolicy-FS-1-2-2019-08', SUITES_FS],
  // ECDHE with AES-GCM or SHA-256/384 CBC, no SHA-1: the same eight as TLS13-1-2-2021-06's TLS 1.2 part
  ['ELBSecurityPolicy-FS-1-2-Res-2019-08', SUITES_TLS13_1_2],
  ['ELBSecurityPolicy-TLS13-1-2-2021-06', SUITES_TLS13_1_2],
  ['ELBSecurityPolicy-TLS13-1-2-Res-2021-06', SUITES_ECDHE_GCM],
  ['ELBSecurityPolicy-TLS13-1-3-2021-06', []],
  ['ELBSecurityPolicy-FS-1-2-Res-2020-10', SUITES_ECDHE_GCM],
]);
