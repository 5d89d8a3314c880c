// --history postgres://… as a user types it: credentials never shown, bad input one line.
import { describe, expect, it } from 'vitest';
import { HistoryError, redactUrlCredentials } from '../../../src/base/errors.ts';
import { parsePgUrl } from '../../../src/history/postgres.ts';

const thrown = (url: string) => {
  try {
    parsePgUrl(url);
  } catch (error: unknown) {
    return error;
  }
  return undefined;
};

describe('parsePgUrl', () => {
  // libpq takes any connection keyword as a URI parameter, password included
  // (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS).
  it('takes password= as libpq does, and no error or redacted text shows it', () => {
    expect(parsePgUrl('postgres://u@db.example:5432/fleet?password=s3cr3tpw&sslmode=require').password).toBe('s3cr3tpw');
    const error = thrown('postgres://u@127.0.0.1:1/db?password=s3cr3tpw&sslmod=require');
    expect(error).toBeInstanceOf(HistoryError);
    expect((error as Error).message).toBe('--history postgres://127.0.0.1:1/db?password=***&sslmod=require: unknown parameter "sslmod" (known: sslmode, sslrootcert, sslcert, sslkey, connect_timeout, application_name, password)');
    // Every message, alert and report text goes through the same redaction (an HTML-escaped & too).
    expect(redactUrlCredentials('could not run: postgres://h/db?sslmode=verify-full&amp;password=s3cr3tpw&amp;x=1')).toBe('could not run: postgres://h/db?sslmode=verify-full&amp;password=***&amp;x=1');
    expect(redactUrlCredentials('postgres://h/db?sslpassword=keypass')).toBe('postgres://h/db?sslpassword=***');
  });

  // libpq splits URI parameters only at '&' and '=' and decodes %XX alone (fe-connect.c
  // conninfo_uri_parse_params, conninfo_uri_decode): a space or a '+' is part of the value.
  it('a password with spaces or a + (base64-style) is taken whole, as libpq takes it, and never shown in part', () => {
    expect(parsePgUrl('postgres://audit@db.example:5432/ztaudit?password=s3cr+t/Ab%3D%3D&sslmode=require').password).toBe('s3cr+t/Ab==');
    expect(parsePgUrl('postgres://audit@db.example/ztaudit?sslcert=/etc/pg/c+1.pem&sslmode=require').sslcert).toBe('/etc/pg/c+1.pem');
    expect(parsePgUrl('postgres://audit@db.example/ztaudit?password=correct horse battery&sslmode=require').password).toBe('correct horse battery');
    const error = thrown('postgres://audit@db.example/ztaudit?password=correct horse battery&sslmode=verify-ful');
    expect((error as Error).message).toBe('--history postgres://db.example/ztaudit?password=***&sslmode=verify-ful: sslmode=verify-ful is not one of disable, allow, prefer, require, verify-ca, verify-full');
  });

  // The reviewer's repro: a password= last in the URL took the whole reason after the URL with it
  // (the error quotes the redacted URL and its constructor redacts the message again).
  it('a password= last in the URL is redacted and the reason after it stays, in every password form', () => {
    const reason = ': sslmode=verify_full is not one of disable, allow, prefer, require, verify-ca, verify-full';
    for (const [url, shown] of [
      ['postgres://postgres@127.0.0.1:55432/zt?sslmode=verify_full&password=x', 'postgres://127.0.0.1:55432/zt?sslmode=verify_full&password=***'],
      ['postgres://postgres@127.0.0.1:55432/zt?password=x&sslmode=verify_full', 'postgres://127.0.0.1:55432/zt?password=***&sslmode=verify_full'],
      ['postgres://u@h/zt?sslmode=verify_full&password=correct horse battery', 'postgres://h/zt?sslmode=verify_full&password=***'],
      ['postgres://u@h/zt?sslmode=verify_full&password=s3cr+t/Ab%3D%3D', 'postgres://h/zt?sslmode=verify_full&password=***'],
      ['postgres://u:userinfo-pw@h/zt?sslmode=verify_full&password=x', 'postgres://h/zt?sslmode=verify_full&password=***'],
    ] as const) {
      const message = (thrown(url) as Error).message;
      expect(message, url).toBe(`--history ${shown}${reason}`);
      for (const secret of ['=x', 'horse', 's3cr', 'keypass', 'userinfo-pw']) expect(message, url).not.toContain(secret);
    }
    expect(redactUrlCredentials('postgres://h/db?sslmode=verify_full&sslpassword=keypass: why')).toBe('postgres://h/db?sslmode=verify_full&sslpassword=***');
    expect(redactUrlCredentials(redactUrlCredentials('postgres://h/db?sslpassword=keypass') + ': why')).toBe('postgres://h/db?sslpassword=***: why');
    // Redacting an already redacted text changes nothing; a text not redacted yet loses the value only.
    const once = redactUrlCredentials('could not open postgres://h/db?password=pw (reason)');
    expect(once).toBe('could not open postgres://h/db?password=***');
    expect(redactUrlCredentials(once)).toBe(once);
    expect(redactUrlCredentials('postgres://h/db?password=***: why')).toBe('postgres://h/db?password=***: why');
  });

  // Which parameters' values go: those whose name says password ("pass", "pwd"), known or not, not
  // every unknown one (its value is how a user sees the typo: sslmod=require). libpq's own password
  // keywords are password and sslpassword (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS).
  it('a misspelt password parameter (passwd=, pass=, pwd=, db_password=) is named as unknown, its value never shown', () => {
    for (const name of ['passwd', 'pass', 'pwd', 'PWD', 'db_password', 'Passphrase']) {
      const message = (thrown(`postgres://u@127.0.0.1:1/db?sslmode=require&${name}=SECRET`) as Error).message;
      expect(message, name).toBe(`--history postgres://127.0.0.1:1/db?sslmode=require&${name}=***: unknown parameter "${name}" (known: sslmode, sslrootcert, sslcert, sslkey, connect_timeout, application_name, password)`);
    }
    expect((thrown('postgres://u@127.0.0.1:1/db?sslmod=require') as Error).message).toContain('?sslmod=require: unknown parameter "sslmod"');
  });

  it('a malformed percent-escape is one line naming --history and the part, not an internal error', () => {
    for (const [url, part] of [['postgres://u:s3cr%zzpw@127.0.0.1:1/db', 'password'], ['postgres://u%@127.0.0.1:1/db', 'user'], ['postgres://u@127.0.0.1:1/d%b', 'database name']] as const) {
      const error = thrown(url);
      expect(error, url).toBeInstanceOf(HistoryError);
      expect((error as Error).message, url).toMatch(new RegExp(`^--history postgres://127\\.0\\.0\\.1:1/d%?b: the ${part} is not valid percent-encoding \\(write % as %25\\)$`));
      expect((error as Error).message).not.toContain('s3cr');
    }
  });
});
