// The cipher suites of AWS Elastic Load Balancing security policies, as AWS publishes them:
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
// (Application Load Balancers; the Network Load Balancer page,
// .../network/describe-ssl-policies.html, lists the same policies with the same suites). Only the
// policies below are in the table: any other name leaves tls.weak-ciphers' note, not a verdict.
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
const SUITES_ECDHE_GCM = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'];

export const AWS_SSL_POLICIES_DOC = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html';

/** Policy name → its TLS 1.2-and-below suites ([] for a TLS 1.3-only policy). */
export const AWS_POLICY_CIPHERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['ELBSecurityPolicy-2016-08', SUITES_2016_08],
  ['ELBSecurityPolicy-TLS-1-1-2017-01', SUITES_2016_08],
  ['ELBSecurityPolicy-TLS13-1-2-2021-06', SUITES_TLS13_1_2],
  ['ELBSecurityPolicy-TLS13-1-2-Res-2021-06', SUITES_ECDHE_GCM],
  ['ELBSecurityPolicy-TLS13-1-3-2021-06', []],
  ['ELBSecurityPolicy-FS-1-2-Res-2020-10', SUITES_ECDHE_GCM],
]);
