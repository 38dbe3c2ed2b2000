/**
 * Hard negatives — text that looks like a secret or personal datum and is not (identifiers, hashes, versions,
 * dates, placeholders, public keys, benign uses of trigger words) — and published example values, which are
 * labelled with `example: true`: a detector must report them as examples, never as live data.
 */
import { aba, iban, luhnInvalid, uuid } from './fake-values.js';
import type { Rng } from './random.js';
import { ALNUM, DIGITS, HEXL, UPPER, base64 } from './random.js';
import { mark, seg, type Segment } from './segment.js';

type Maker = (rng: Rng) => Segment;

export const negatives: Record<string, Maker> = {
  uuid: (rng) => seg(`request_id=${uuid(rng)} trace_id=${uuid(rng)} status=200\n`),
  gitSha: (rng) => seg(`commit ${rng.chars(HEXL, 40)}\nMerge: ${rng.chars(HEXL, 7)} ${rng.chars(HEXL, 7)}\n`),
  sha256: (rng) => seg(`sha256:${rng.chars(HEXL, 64)}  dist/app.tar.gz\n`),
  integrity: (rng) => seg(`"integrity": "sha512-${base64(rng.bytes(64))}",\n`),
  base64Image: (rng) => seg(`<img src="data:image/png;base64,iVBORw0KGgo${base64(rng.bytes(120))}" alt="logo">\n`),
  versions: (rng) =>
    seg(
      `Upgraded from v${rng.range(1, 9)}.${rng.range(0, 20)}.${rng.range(0, 30)} to ${rng.range(1, 9)}.${rng.range(0, 20)}.${rng.range(0, 30)}; Windows build 10.0.${rng.range(10000, 22999)}.${rng.range(100, 4000)}; version 1.${rng.range(0, 9)}.${rng.range(0, 9)}.${rng.range(0, 9)}\n`,
    ),
  dates: (rng) =>
    seg(
      `Due 2024-${String(rng.range(1, 12)).padStart(2, '0')}-${String(rng.range(1, 28)).padStart(2, '0')} (was 03/${rng.range(10, 28)}/2024), logged at 2024-05-01T10:${rng.range(10, 59)}:12.123Z, epoch 17${rng.digits(11)}\n`,
    ),
  orderNumbers: (rng) =>
    seg(
      `Order #${rng.range(2, 9)}${rng.digits(9)} shipped; invoice INV-2024-${rng.digits(6)}; tracking 1Z${rng.chars(UPPER + DIGITS, 16)}\n`,
    ),
  luhnInvalid: (rng) => seg(`Reference number ${luhnInvalid(rng)} was reconciled.\n`),
  nineDigits: (rng) => seg(`Batch ${rng.range(100000000, 999999999)} processed ${rng.range(1000, 9999)} rows.\n`),
  badChecksums: (rng) => seg(`Bank details on file: ${iban(rng, false)}; transit ${aba(rng, false)}\n`),
  invalidSsn: (rng) =>
    seg(
      `SSN field test values: ${rng.pick(['000', '666', '9' + rng.digits(2)])}-${rng.digits(2)}-${rng.digits(4)} and ${rng.digits(3)}-00-${rng.digits(4)}\n`,
    ),
  invalidNino: (rng) => seg(`NI number format check: ${rng.pick(['BG', 'GB', 'DA', 'FQ', 'NK'])}${rng.digits(6)}A\n`),
  localAddresses: () => seg('Listening on 127.0.0.1:8080 and 0.0.0.0:9090, netmask 255.255.255.0, ::1 and :: too\n'),
  macAndTimes: (rng) =>
    seg(`iface eth0 ether 00:1a:${rng.chars(HEXL, 2)}:3c:4d:5e at 12:34:56; std::vector<int> v; a::b\n`),
  placeholders: (rng) =>
    seg(
      rng.pick([
        'password: ${DB_PASSWORD}\n',
        'api_key: <your-api-key>\n',
        'token = "xxxxxxxxxxxxxxxxxxxx"\n',
        "SECRET_KEY = os.environ['SECRET_KEY']\n",
        'password = getpass.getpass()\n',
        'token_type: bearer\n',
        'max_tokens: 4096\n',
        'secret_name: prod-db-secret\n',
        'password_min_length: 12\n',
        'API_KEY=your_api_key_here\n',
        'auth_token: {{ vault.auth_token }}\n',
        'client_secret = settings.CLIENT_SECRET\n',
        'DATABASE_URL=postgres://user:${DB_PASS}@db:5432/app\n',
        'tokenizer: cl100k_base\n',
        'password: "********"\n',
        'publishable_key: pk_live_' + rng.chars(ALNUM, 24) + '\n',
        'next_page_token: ' + rng.chars(ALNUM, 40) + '\n',
      ]),
    ),
  publicKeys: (rng) =>
    seg(
      rng.pick([
        `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${rng.chars(ALNUM, 43)} deploy@ci\n`,
        `-----BEGIN PUBLIC KEY-----\n${base64(rng.bytes(48))}\n-----END PUBLIC KEY-----\n`,
        `-----BEGIN CERTIFICATE-----\n${base64(rng.bytes(48))}\n-----END CERTIFICATE-----\n`,
      ]),
    ),
  wordsLikePrefixes: (rng) =>
    seg(
      `${rng.pick(['Ask-ant-colony questions', 'task-runner and mask-proj-settings', 'The ASIAPACIFICREGION1 office', 'hugs xoxo-bye', 'GHP_rate is 3%', 'AIzawa met us'])}; see desk-admin-panel\n`,
    ),
  emailLike: () =>
    seg('npm i @types/node lodash@4.17.21; icon logo@2x.png; git clone git@github.com:acme/app.git; user@localhost\n'),
  benignInjectionWords: (rng) =>
    seg(
      rng.pick([
        'You can safely ignore this warning; see .gitignore and ignoreCase options.\n',
        'The user can configure the timeout in settings, and the assistant shows a preview.\n',
        'New instructions for contributors are in CONTRIBUTING.md.\n',
        'Send the weekly report to the finance team.\n',
        'This guide explains how to write a good system prompt.\n',
        'Do not forget to rotate the logs; override the default with --level.\n',
      ]),
    ),
  benignUnicode: (rng) =>
    seg(
      rng.pick([
        'Family emoji 👨\u200D👩\u200D👧 in the chat.\n',
        'Persian text می\u200Cخواهم renders with a ZWNJ.\n',
        'Flag 🏴\uDB40\uDC67\uDB40\uDC62\uDB40\uDC65\uDB40\uDC6E\uDB40\uDC67\uDB40\uDC7F for England.\n',
        'Hebrew \u200Fשלום\u200F greeting.\n',
      ]),
    ),
  jwtLike: (rng) => seg(`payload=eyJ${rng.chars(ALNUM, 60)} (base64 JSON, not a token)\n`),
  hexColours: (rng) => seg(`color: #${rng.chars(HEXL, 6)}; background: #${rng.chars(HEXL, 3)};\n`),
  randomWords: (rng) =>
    seg(
      `${rng.pick(['alpha', 'delta', 'omega', 'sierra'])} ${rng.pick(['secretary', 'tokenism', 'keyboard', 'passage'])} ${rng.pick(['credentialed', 'authorized', 'monkey', 'bypassed'])} notes\n`,
    ),
};

export const examples: Record<string, Maker> = {
  awsDocs: () =>
    seg(
      'From the AWS docs: aws_access_key_id = ',
      mark('aws_access_key_id', 'AKIAIOSFODNN7EXAMPLE', true),
      ' and aws_secret_access_key = ',
      mark('aws_secret_access_key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', true),
      '\n',
    ),
  stripeDocs: (rng) =>
    seg(
      'Stripe example: curl https://api.stripe.com/v1/charges -u ',
      mark('stripe_key', rng.pick(['sk_test_4eC39HqLyjWDarjtT1zdp7dc', 'sk_test_BQokikJOvBiI2HlWgH4olfQ2']), true),
      ':\n',
    ),
  jwtIo: () =>
    seg(
      'The jwt.io sample ',
      mark(
        'jwt',
        'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
        true,
      ),
      ' decodes to John Doe.\n',
    ),
  testCards: (rng) =>
    seg(
      'For testing use ',
      mark(
        'payment_card',
        rng.pick(['4242 4242 4242 4242', '4111111111111111', '5555 5555 5555 4444', '3782 822463 10005']),
        true,
      ),
      ' with any future expiry.\n',
    ),
  exampleEmail: (rng) =>
    seg(
      'Sign up as ',
      mark('email', `${rng.pick(['jane', 'john.doe', 'alice'])}@example.com`, true),
      ' in the demo.\n',
    ),
  docIps: (rng) =>
    seg(
      'Documentation address ',
      mark('ipv4', `192.0.2.${rng.range(1, 254)}`, true),
      ' and ',
      mark('ipv6', '2001:db8::8a2e:370:7334', true),
      '.\n',
    ),
  fictionalPhone: (rng) =>
    seg('Call ', mark('phone', `(${rng.range(201, 989)}) 555-01${rng.digits(2)}`, true), ' for the demo line.\n'),
  exampleIban: () => seg('Sample IBAN ', mark('iban', 'GB82 WEST 1234 5698 7654 32', true), ' from the spec.\n'),
  exampleSsn: () => seg('The famous wallet SSN ', mark('us_ssn', '078-05-1120', true), ' was printed on cards.\n'),
  slackPlaceholder: () =>
    seg(
      'webhook: ',
      mark('slack_webhook', 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', true),
      '\n',
    ),
  azurite: () =>
    seg(
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=',
      mark(
        'azure_storage_key',
        'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
        true,
      ),
      ';BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;\n',
    ),
  hmrcNino: () => seg('HMRC example ', mark('uk_nino', 'QQ 12 34 56 C', true), '\n'),
  pemPlaceholder: () =>
    seg(mark('private_key', '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----', true), '\n'),
  dbPlaceholder: () =>
    seg('postgres://postgres:', mark('database_url_password', 'password', true), '@localhost:5432/postgres\n'),
};
