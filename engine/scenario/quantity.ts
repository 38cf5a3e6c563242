/**
 * Kubernetes resource quantities (k8s.io/apimachinery `resource.Quantity`):
 *
 *   quantity        ::= signedNumber suffix
 *   suffix          ::= binarySI | decimalExponent | decimalSI
 *   binarySI        ::= Ki | Mi | Gi | Ti | Pi | Ei                    (powers of 2^10)
 *   decimalSI       ::= n | u | m | "" | k | M | G | T | P | E          (powers of 10^3)
 *   decimalExponent ::= e signedNumber | E signedNumber                (1e3, 5E-2)
 *   signedNumber    ::= [+-] (digits | digits.digits | digits. | .digits)
 *
 * CPU quantities are cores (`500m` → 0.5), memory quantities bytes (`128Mi` → 134217728). Values
 * are computed without accumulated rounding: decimal scaling goes through one correctly rounded
 * decimal-to-float conversion, binary scaling multiplies by a power of two (exact).
 */
export class QuantityError extends Error {
  override name = 'QuantityError';
}

const DECIMAL_SI: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SI: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|(n|u|m|k|M|G|T|P|E)?)$/;

/** Parses a quantity to a number in base units. Numbers (from YAML) are taken as they are. */
export function parseQuantity(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new QuantityError(`expected a finite quantity, got ${input}`);
    return input;
  }
  const m = QUANTITY.exec(input.trim());
  if (input.trim() === '' || m === null) {
    throw new QuantityError(`expected a quantity like 500m, 2, 128Mi, 1G or 1e3, got ${JSON.stringify(input)}`);
  }
  const [, mantissa, binary, exponent, decimal] = m;
  let value: number;
  if (binary !== undefined) value = Number(mantissa) * 2 ** BINARY_SI[binary]!;
  else if (exponent !== undefined) value = Number(`${mantissa}e${exponent}`);
  else value = Number(`${mantissa}e${DECIMAL_SI[decimal ?? '']!}`);
  if (!Number.isFinite(value)) throw new QuantityError(`quantity ${JSON.stringify(input)} is too large`);
  return value === 0 ? 0 : value; // no -0
}

/**
 * The strings parseResourceQuantity accepts, as a JSON Schema `pattern`: QUANTITY, with a minus sign
 * only before a zero (`-0` is 0). (A quantity too large to be finite, like 1e400, matches but is
 * rejected by the parser.)
 */
export const RESOURCE_QUANTITY_PATTERN =
  '^\\s*(?:\\+|-(?=(?:0+(?:\\.0*)?|\\.0+)(?:[eE]|[^0-9.]|$)))?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\\d+|n|u|m|k|M|G|T|P|E)?\\s*$';

/** A non-negative quantity (resource requests, limits, node capacity). */
export function parseResourceQuantity(input: string | number): number {
  const value = parseQuantity(input);
  if (value < 0) throw new QuantityError(`expected a non-negative quantity, got ${JSON.stringify(input)}`);
  return value;
}

/** CPU in cores: `500m` → 0.5, `2` → 2. */
export const parseCpu = parseResourceQuantity;

/** Memory in bytes: `128Mi` → 134217728, `1G` → 1e9. */
export const parseMemory = parseResourceQuantity;
