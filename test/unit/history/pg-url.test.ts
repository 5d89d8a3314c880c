// --history postgres://… as a user types it: credentials never shown, bad input one line.
import { describe, expect, it } from 'vitest';
import { HistoryError, errorMessage, redactUrlCredentials, redacted } from '../../../src/base/errors.ts';
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
    // A URL quoted with a reason after it is redacted on its own (redacted`…`), where its end is known;
    // an error made of such a message is not redacted again, nor is its message where it is quoted (errorMessage).
    const error = new HistoryError(redacted`--history ${'postgres://h/db?sslpassword=keypass'}: why`);
    expect(error.message).toBe('--history postgres://h/db?sslpassword=***: why');
    expect(errorMessage(error)).toBe(error.message);
    // Redacting an already redacted text changes nothing; a text not redacted yet loses the value only.
    const once = redactUrlCredentials('could not open postgres://h/db?password=pw (reason)');
    expect(once).toBe('could not open postgres://h/db?password=***');
    expect(redactUrlCredentials(once)).toBe(once);
  });

  // libpq takes any text up to the next '&' as the password (fe-connect.c conninfo_uri_parse_params):
  // one that begins with what a redacted value looks like ("***" and ": ", a space or ")") is a
  // password like any other. Taken for one already redacted, the rest of it was shown.
  it('a password that begins with "***" and ": ", a space or ")" is redacted whole, in every text and every error', () => {
    for (const secret of ['***: hunter2', '*** hunter2', '***) hunter2', '***.hunter2', '***hunter2']) {
      const url = `postgres://u@h/db?sslmode=verify-full&password=${secret}`;
      expect(redactUrlCredentials(url), secret).toBe('postgres://h/db?sslmode=verify-full&password=***');
      expect(redactUrlCredentials(`could not open ${url}`), secret).not.toContain('hunter2');
      expect(new HistoryError(`could not open ${url}`).message, secret).not.toContain('hunter2');
      expect(errorMessage(new Error(`could not open ${url}`)), secret).not.toContain('hunter2');
      const thrownBy = (thrown(`postgres://u@h/db?sslmode=verify_full&password=${secret}`) as Error).message;
      expect(thrownBy, secret).toBe('--history postgres://h/db?sslmode=verify_full&password=***: sslmode=verify_full is not one of disable, allow, prefer, require, verify-ca, verify-full');
      expect(redactUrlCredentials(`postgres://h/db?sslpassword=${secret}&sslmode=require`), secret).toBe('postgres://h/db?sslpassword=***&sslmode=require');
    }
  });

  // libpq's passfile names the file the password is read from
  // (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-PASSFILE): a path, no
  // secret, and what tells the user which file was meant; ztaudit does not take it (it names
  // ZTAUDIT_PG_PASSWORD_FILE), so the error names the parameter with its path.
  it('a passfile= path is shown, not redacted as a password: it names a file, not a secret', () => {
    expect(redactUrlCredentials('postgres://h/db?passfile=/etc/ztaudit/pgpass&password=s3cr3t')).toBe('postgres://h/db?passfile=/etc/ztaudit/pgpass&password=***');
    const message = (thrown('postgres://u@h/db?passfile=/etc/ztaudit/pgpass') as Error).message;
    expect(message).toBe('--history postgres://h/db?passfile=/etc/ztaudit/pgpass: unknown parameter "passfile" (known: sslmode, sslrootcert, sslcert, sslkey, connect_timeout, application_name, password)');
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
