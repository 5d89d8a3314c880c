/** No HTTP answer arrived (timeout, a body cut off mid-way, a proxy that refused the tunnel). */
export class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
