/**
 * PostgreSQL result rows as GetStatementResult returns them: `Field` unions (`longValue`, `doubleValue`,
 * `booleanValue`, `stringValue`, `blobValue` base64, `isNull`) and ColumnMetadata. Values arrive as
 * PostgreSQL's text output (no client-side parsing), so strings come back exactly as the server printed
 * them; DECIMAL stays a string, as the Data API returns it.
 */

export type Field =
  | { readonly isNull: true }
  | { readonly booleanValue: boolean }
  | { readonly longValue: number }
  | { readonly doubleValue: number }
  | { readonly stringValue: string }
  | { readonly blobValue: string };

export interface ColumnMetadata {
  readonly name: string;
  readonly label: string;
  readonly typeName: string;
  readonly nullable: number;
  readonly isCaseSensitive: boolean;
  readonly isCurrency: boolean;
  readonly isSigned: boolean;
  readonly precision: number;
  readonly scale: number;
  readonly length: number;
  readonly schemaName: string;
  readonly tableName: string;
}

/** The PostgreSQL built-in type OIDs that map to a Field other than stringValue, and common names. */
const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  float4: 700,
  float8: 701,
  numeric: 1700,
} as const;

export const BUILT_IN_TYPE_NAMES: Readonly<Record<number, string>> = {
  16: 'bool',
  17: 'bytea',
  18: 'char',
  19: 'name',
  20: 'int8',
  21: 'int2',
  23: 'int4',
  25: 'text',
  26: 'oid',
  114: 'json',
  700: 'float4',
  701: 'float8',
  1042: 'bpchar',
  1043: 'varchar',
  1082: 'date',
  1083: 'time',
  1114: 'timestamp',
  1184: 'timestamptz',
  1186: 'interval',
  1700: 'numeric',
  2950: 'uuid',
  3802: 'jsonb',
};

const SIGNED = new Set<number>([OID.int2, OID.int4, OID.int8, OID.float4, OID.float8, OID.numeric]);

/** `\x0a0b` (bytea hex output) as base64, the Data API's blobValue encoding. */
function byteaToBase64(text: string): string {
  return text.startsWith('\\x')
    ? Buffer.from(text.slice(2), 'hex').toString('base64')
    : Buffer.from(text).toString('base64');
}

export function toField(value: string | null, typeId: number): Field {
  if (value === null) return { isNull: true };
  switch (typeId) {
    case OID.bool:
      return { booleanValue: value === 't' || value === 'true' };
    case OID.int2:
    case OID.int4:
    case OID.int8:
    case OID.oid:
      return { longValue: Number(value) };
    case OID.float4:
    case OID.float8:
      return { doubleValue: Number(value) };
    case OID.bytea:
      return { blobValue: byteaToBase64(value) };
    default:
      return { stringValue: value };
  }
}

export interface ResultField {
  readonly name: string;
  readonly dataTypeID: number;
  readonly dataTypeModifier: number;
}

/** Precision, scale and length from a type modifier, as PostgreSQL's format_type reads it. */
function dimensions(typeId: number, modifier: number): { precision: number; scale: number; length: number } {
  if (modifier < 0) return { precision: 0, scale: 0, length: 0 };
  if (typeId === OID.numeric) {
    const packed = modifier - 4;
    return { precision: (packed >> 16) & 0xffff, scale: packed & 0xffff, length: 0 };
  }
  if (typeId === 1042 || typeId === 1043) return { precision: modifier - 4, scale: 0, length: modifier - 4 };
  return { precision: 0, scale: 0, length: 0 };
}

export function columnMetadata(field: ResultField, typeName: string): ColumnMetadata {
  return {
    name: field.name,
    label: field.name,
    typeName,
    // Result descriptions don't say whether a column is nullable: 1 (nullable) is the safe answer.
    nullable: 1,
    isCaseSensitive: ['text', 'varchar', 'bpchar', 'char', 'name'].includes(typeName),
    isCurrency: false,
    isSigned: SIGNED.has(field.dataTypeID),
    ...dimensions(field.dataTypeID, field.dataTypeModifier),
    schemaName: '',
    tableName: '',
  };
}
