/** SMS segment arithmetic: GSM 03.38 (7-bit, with its two-septet extension table) or UCS-2. */
const gsmBasic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const gsmExtension = '^{}\\[~]|€\f';

export function encodingOf(text: string): 'GSM-7' | 'UCS-2' {
  for (const ch of text) if (!gsmBasic.includes(ch) && !gsmExtension.includes(ch)) return 'UCS-2';
  return 'GSM-7';
}

/** Length in the units a carrier counts: septets for GSM-7, UTF-16 code units for UCS-2. */
export function smsLength(text: string): number {
  if (encodingOf(text) === 'UCS-2') return text.length;
  let septets = 0;
  for (const ch of text) septets += gsmExtension.includes(ch) ? 2 : 1;
  return septets;
}

export function segmentsOf(text: string): number {
  const length = smsLength(text);
  const [single, multi] = encodingOf(text) === 'GSM-7' ? [160, 153] : [70, 67];
  return length <= single ? 1 : Math.ceil(length / multi);
}
