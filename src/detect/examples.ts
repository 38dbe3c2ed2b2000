/**
 * Values that vendors, standards and regulators publish as examples. They are reported with `example: true` and
 * a low confidence so a policy can tell "someone pasted the AWS documentation" from "someone pasted a key".
 */
import type { DetectorType } from '../contracts/detection.js';

/** AWS documentation's access key pair (docs.aws.amazon.com, "Understanding and getting your AWS credentials"). */
const AWS_KEYS = new Set([
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
]);

/** Stripe's documented test-mode keys (stripe.com/docs, API reference examples over the years). */
const STRIPE_KEYS = new Set([
  'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
  'sk_test_BQokikJOvBiI2HlWgH4olfQ2',
  'sk_test_26PHem9AhJZvU623DfE1x4sd',
]);

/** Azurite / storage emulator's published account key (learn.microsoft.com, "Use the Azurite emulator"). */
const AZURE_KEYS = new Set([
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
]);

/** Test card numbers from Stripe, Braintree, Adyen and PayPal documentation. */
export const TEST_CARDS = new Set([
  '4242424242424242', '4000056655665556', '4111111111111111', '4012888888881881', '4222222222222',
  '4000000000000002', '4000000000000077', '4000000000009995', '4000002500003155', '4000000000003220',
  '5555555555554444', '2223003122003222', '5200828282828210', '5105105105105100', '5431111111111111',
  '378282246310005', '371449635398431', '378734493671000', '6011111111111117', '6011000990139424',
  '6011601160116611', '3056930009020004', '36227206271667', '30569309025904', '38520000023237',
  '3566002020360505', '3530111333300000', '6200000000000005', '6200000000000047', '6555900000604105',
]); // prettier-ignore

/** SSNs published as examples (the 1938 Woolworth wallet card, SSA advertising, LifeLock's ads, 123-45-6789). */
const SSNS = new Set(['078051120', '219099999', '123456789', '457555462']);

/** IBANs used as examples by the ECBS, Wikipedia and banks' documentation. */
const IBANS = new Set([
  'GB82WEST12345698765432',
  'GB29NWBK60161331926819',
  'DE89370400440532013000',
  'FR1420041010050500013M02606',
  'NL91ABNA0417164300',
]);

/** The header and payload of jwt.io's example token ({"sub":"1234567890","name":"John Doe",…}). */
const JWT_IO_PAYLOAD_PREFIX = 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIi';

/** Placeholder fragments that mark a documentation value rather than a credential. */
const PLACEHOLDERS = ['EXAMPLE', 'XXXXXX', 'xxxxxx', '000000000000', '<your', '<YOUR'];

function hasPlaceholder(value: string): boolean {
  return PLACEHOLDERS.some((p) => value.includes(p));
}

export function isExampleSecret(type: DetectorType, value: string): boolean {
  switch (type) {
    case 'aws_access_key_id':
    case 'aws_secret_access_key':
      return AWS_KEYS.has(value) || value.endsWith('EXAMPLE') || value.endsWith('EXAMPLEKEY');
    case 'stripe_key':
      return STRIPE_KEYS.has(value) || hasPlaceholder(value);
    case 'azure_storage_key':
      return AZURE_KEYS.has(value);
    case 'jwt': {
      const dot = value.indexOf('.');
      return value.startsWith(JWT_IO_PAYLOAD_PREFIX, dot + 1);
    }
    default:
      return hasPlaceholder(value);
  }
}

export function isExampleSsn(digits: string): boolean {
  return SSNS.has(digits);
}

export function isExampleIban(compact: string): boolean {
  return IBANS.has(compact);
}

/** RFC 2606 / RFC 6761 reserved names: example.com|net|org and the .example, .test, .invalid, .localhost TLDs. */
export function isExampleDomain(domain: string): boolean {
  const d = domain.toLowerCase();
  return (
    /(^|\.)example\.(com|net|org)$/.test(d) ||
    d.endsWith('.example') ||
    d.endsWith('.test') ||
    d.endsWith('.invalid') ||
    d.endsWith('.localhost')
  );
}

/**
 * Phone numbers set aside for fiction: NANP 555-0100…0199 (ATIS) and Ofcom's drama ranges 020 7946 0xxx and
 * 07700 900xxx. `national` is the number without country code or trunk prefix.
 */
export function isExamplePhone(countryCode: string, national: string): boolean {
  if (countryCode === '1') return /^\d{3}55501\d\d$/.test(national);
  if (countryCode === '44') return /^(?:2079460\d{3}|7700900\d{3})$/.test(national);
  return false;
}
