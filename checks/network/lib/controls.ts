// Framework controls shared by the network checks (CIS v1.10 section 5.3, NSA/CISA NS, NIST).
export const SEGMENTATION_CONTROLS = ['CIS-1.10:5.3.2', 'NSA-CISA:NS/network-policies', 'NIST-800-53:SC-7', 'NIST-800-207:T4', 'NIST-800-207:T6'];
