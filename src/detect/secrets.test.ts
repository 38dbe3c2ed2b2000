import { describe, expect, it } from 'vitest';
import type { DetectorType } from '../contracts/detection.js';
import { scan } from './scan.js';

/** [type, exact text of the span, example?] of every finding. */
function found(text: string, types?: readonly DetectorType[]): [string, string, boolean][] {
  return scan(text, types ? { types } : {}).map((f) => [f.type, text.slice(f.start, f.end), f.example === true]);
}

const b64url = (n: number, seed = 7): string => {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    s += a[x % 64];
  }
  return s;
};
const alnum = (n: number, seed = 3): string =>
  b64url(n * 2, seed)
    .replace(/[-_]/g, '')
    .slice(0, n)
    .padEnd(n, 'Q');

const anthropic = `sk-ant-api03-${b64url(93)}AA`;
const admin = `sk-ant-admin01-${b64url(93, 9)}AA`;
const openai = `sk-proj-${alnum(74)}T3BlbkFJ${alnum(74, 5)}`;
const github = `ghp_${alnum(36)}`;
const stripe = `sk_live_${alnum(24)}`;

describe('vendor-prefixed secrets', () => {
  it('finds each token exactly, whatever surrounds it', () => {
    for (const [type, token] of [
      ['anthropic_api_key', anthropic],
      ['anthropic_admin_key', admin],
      ['openai_api_key', openai],
      ['github_token', github],
      ['github_token', `github_pat_${alnum(22)}_${alnum(59, 4)}`],
      ['gitlab_token', `glpat-${alnum(20)}`],
      ['gitlab_token', `GR1348941${alnum(20)}`],
      ['slack_token', `xoxb-123456789012-1234567890123-${alnum(24)}`],
      ['slack_webhook', `https://hooks.slack.com/services/T0ABCDEFG/B0ABCDEFG/${alnum(24)}`],
      ['stripe_key', stripe],
      ['google_api_key', `AIza${b64url(35)}`],
      ['aws_access_key_id', 'AKIAQ3EGRQWERTYZ2345'],
      ['azure_client_secret', `abc1Q~${alnum(34)}`],
    ] as const) {
      for (const wrap of [
        (t: string) => t,
        (t: string) => `KEY="${t}"`,
        (t: string) => `{"v": "${t}"}\n`,
        (t: string) => `see ${t}.`,
      ]) {
        expect(found(wrap(token)), `${type} in ${wrap('…')}`).toEqual([[type, token, false]]);
      }
    }
  });

  it('does not take look-alikes for tokens', () => {
    expect(found('Ask-ant-colony questions, task-runner, mask-proj-settings')).toEqual([]);
    expect(found('The ASIAPACIFICREGION1 office; hugs xoxo-bye; GHP_rate; AIzawa')).toEqual([]);
    expect(found(`prefix${github}`)).toEqual([]);
    expect(found('publishable_key: pk_live_abcdefghijklmnopqrstuvwx')).toEqual([]);
  });

  it('reads AWS key pairs: the secret span is the 40-character value only', () => {
    const secret = 'Zx8fJk2LmN4pQr7StUv9WxYz1AbCdEfGhIjKlMnO';
    expect(found(`aws_secret_access_key = ${secret}\n`)).toEqual([['aws_secret_access_key', secret, false]]);
    expect(found(`{"SecretAccessKey": "${secret}"}`)).toEqual([['aws_secret_access_key', secret, false]]);
    expect(found(`deploy,,AKIAQ3EGRQWERTYZ2345,${secret}\n`)).toEqual([
      ['aws_access_key_id', 'AKIAQ3EGRQWERTYZ2345', false],
      ['aws_secret_access_key', secret, false],
    ]);
  });

  it('reports vendor example values as examples with a low confidence', () => {
    const text =
      'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n';
    expect(found(text)).toEqual([
      ['aws_access_key_id', 'AKIAIOSFODNN7EXAMPLE', true],
      ['aws_secret_access_key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', true],
    ]);
    expect(scan(text).every((f) => f.confidence <= 0.1)).toBe(true);
    expect(found('-u sk_test_4eC39HqLyjWDarjtT1zdp7dc:')).toEqual([
      ['stripe_key', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc', true],
    ]);
    const jwtIo =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    expect(found(`token ${jwtIo}`)).toEqual([['jwt', jwtIo, true]]);
  });

  it('validates JWT headers', () => {
    const header = btoa('{"alg":"RS256","typ":"JWT"}').replace(/=+$/, '');
    const payload = btoa('{"sub":"42","iat":1700000000}').replace(/=+$/, '');
    const token = `${header}.${payload}.${b64url(43)}`;
    const [f] = scan(`Authorization: Bearer ${token}`);
    expect(f).toMatchObject({ type: 'jwt', validator: 'valid' });
    const [bad] = scan(`eyJnotjson${b64url(20)}.eyJ${b64url(20)}.${b64url(20)}`);
    expect(bad).toMatchObject({ type: 'jwt', validator: 'invalid' });
    expect(bad?.confidence).toBeLessThan(0.6);
  });

  it('finds PEM keys, also escaped in JSON, and reports service-account keys as such', () => {
    const body = `${b64url(64).replace(/[-_]/g, 'A')}\n${b64url(64, 3).replace(/[-_]/g, 'B')}`;
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    expect(found(`key:\n${pem}\n`)).toEqual([['private_key', pem, false]]);
    const escaped = pem.replace(/\n/g, '\\n');
    expect(
      found(
        `{"type": "service_account", "private_key": "${escaped}\\n", "client_email": "a@p.iam.gserviceaccount.com"}`,
      ),
    ).toEqual([['gcp_service_account', escaped, false]]);
    expect(found('-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----')).toEqual(
      [],
    );
    expect(found('-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----')).toEqual([
      ['private_key', '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----', true],
    ]);
  });

  it('reports the password of a URL, not the URL', () => {
    expect(found('DATABASE_URL=postgres://app:S3cr3tPa55@db.internal:5432/app')).toEqual([
      ['database_url_password', 'S3cr3tPa55', false],
    ]);
    expect(found('redis://:p4ssW0rd@cache:6379')).toEqual([['database_url_password', 'p4ssW0rd', false]]);
    expect(found('mongodb+srv://u:p@ss@cluster0.ab1cd.mongodb.net/db')).toEqual([
      ['database_url_password', 'p@ss', false],
    ]);
    expect(found('postgres://user:${DB_PASS}@db/app and https://example.com/a@b')).toEqual([]);
    expect(found('postgres://postgres:password@localhost/postgres')).toEqual([
      ['database_url_password', 'password', true],
    ]);
  });
});

describe('generic secrets by name', () => {
  it('finds high-entropy values assigned to credential names, spanning the value only', () => {
    for (const text of [
      'DB_PASSWORD=Tr0ub4dor&3x',
      '"password": "Tr0ub4dor&3x",',
      'spring.datasource.password=Tr0ub4dor&3x',
      '<password>Tr0ub4dor&3x</password>',
      'mysql --password Tr0ub4dor&3x',
      'my password is Tr0ub4dor&3x',
    ]) {
      expect(found(text), text).toEqual([['generic_secret', 'Tr0ub4dor&3x', false]]);
    }
    const token = '9f8e7d6c5b4a39281716abcdefABCDEF';
    for (const text of [
      `client_secret: ${token}`,
      `"apiToken": "${token}"`,
      `x-api-key: ${token}`,
      `Authorization: Bearer ${token}`,
    ]) {
      expect(found(text), text).toEqual([['generic_secret', token, false]]);
    }
    expect(found(`Authorization: Basic ${btoa('alice:Tr0ub4dor&3x')}`)).toEqual([
      ['generic_secret', btoa('alice:Tr0ub4dor&3x'), false],
    ]);
  });

  it('ignores references, placeholders, expressions, non-secret names and low-entropy values', () => {
    for (const text of [
      'password: ${DB_PASSWORD}',
      'api_key: <your-api-key>',
      'token = "xxxxxxxxxxxxxxxxxxxx"',
      "SECRET_KEY = os.environ['SECRET_KEY']",
      'password = getpass.getpass()',
      'token_type: bearer',
      'max_tokens: 4096',
      'secret_name: prod-db-secret-name',
      'password_min_length: 12',
      'API_KEY=your_api_key_here',
      'client_secret = settings.CLIENT_SECRET',
      'tokenizer: cl100k_base',
      'next_page_token: CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA0YzdhaWoSAhgB',
      '{"key": "session.id.value.long"}',
      'the password is incorrect',
    ]) {
      expect(found(text, ['generic_secret']), text).toEqual([]);
    }
  });

  it('leaves the value to the vendor detector when it knows the format', () => {
    expect(found(`GITHUB_TOKEN=${github}`)).toEqual([['github_token', github, false]]);
    expect(found(`api_key = "${stripe}"`)).toEqual([['stripe_key', stripe, false]]);
    expect(found(`STRIPE_API_KEY=${stripe}`, ['generic_secret'])).toEqual([]);
  });
});
