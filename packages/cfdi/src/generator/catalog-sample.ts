// A small sample of SAT catalog keys (packages/cfdi/catalogs/*.csv, current on 2026-11) that
// generated documents draw from: every key here is valid, and the combinations are the ones the
// catalogs allow (a UsoCFDI for the receiver's regime and kind of person, IVA 8% only for a product
// with the border stimulus issued from a border postal code).

export interface ProductSample {
  claveProdServ: string;
  claveUnidad: string;
  unidad: string;
  descriptions: readonly string[];
  /** ValorUnitario range in MXN. */
  price: readonly [number, number];
  /** Sold in fractions (kilograms, litres, hours). */
  fractional: boolean;
  /** c_ClaveProdServ's estimulo_franja_fronteriza: IVA 8% may apply in the border region. */
  borderStimulus: boolean;
}

export const products: readonly ProductSample[] = [
  {
    claveProdServ: '43211507',
    claveUnidad: 'H87',
    unidad: 'Pieza',
    descriptions: ['Computadora de escritorio Core i5, 16 GB', 'Equipo de cómputo "todo en uno" 24"'],
    price: [8_500, 32_000],
    fractional: false,
    borderStimulus: true,
  },
  {
    claveProdServ: '43211914',
    claveUnidad: 'H87',
    unidad: 'Pieza',
    descriptions: ['Pantalla LED 3x4" con entrada HDMI', 'Monitor 27" <IPS> & base ajustable'],
    price: [1_200, 9_800],
    fractional: false,
    borderStimulus: true,
  },
  {
    claveProdServ: '52161557',
    claveUnidad: 'H87',
    unidad: 'Pieza',
    descriptions: ['Portable tetris gamepad pro++', 'Consola de videojuegos edición Ñandú'],
    price: [350, 12_500],
    fractional: false,
    borderStimulus: true,
  },
  {
    claveProdServ: '50202306',
    claveUnidad: 'LTR',
    unidad: 'Litro',
    descriptions: ['Refresco de cola a granel', "Agua mineral 'de manantial'"],
    price: [12, 45],
    fractional: true,
    borderStimulus: true,
  },
  {
    claveProdServ: '60121524',
    claveUnidad: 'XBX',
    unidad: 'Caja',
    descriptions: ['Bolígrafos de gel, caja con 12', 'Plumas de gel azul & negro'],
    price: [60, 240],
    fractional: false,
    borderStimulus: true,
  },
  {
    claveProdServ: '25172504',
    claveUnidad: 'H87',
    unidad: 'Pieza',
    descriptions: ['Llanta 205/55 R16', 'Neumático para camioneta 265/70 R17'],
    price: [1_400, 5_200],
    fractional: false,
    borderStimulus: true,
  },
  {
    claveProdServ: '81111500',
    claveUnidad: 'HUR',
    unidad: 'Hora',
    descriptions: ['Desarrollo de software a la medida', 'Ingeniería de datos (sprint de 2 semanas)'],
    price: [450, 1_800],
    fractional: true,
    borderStimulus: true,
  },
  {
    claveProdServ: '80101500',
    claveUnidad: 'E48',
    unidad: 'Servicio',
    descriptions: ['Consultoría de negocios', 'Asesoría administrativa mensual'],
    price: [2_000, 45_000],
    fractional: false,
    borderStimulus: true,
  },
  {
    claveProdServ: '78101802',
    claveUnidad: 'E48',
    unidad: 'Servicio',
    descriptions: ['Flete terrestre CDMX–Monterrey', 'Servicio de envío de mercancías'],
    price: [900, 18_000],
    fractional: false,
    borderStimulus: true,
  },
  {
    claveProdServ: '43232408',
    claveUnidad: 'ACT',
    unidad: 'Actividad',
    descriptions: ['Licencia anual de plataforma web', 'Suscripción a software de desarrollo'],
    price: [1_500, 60_000],
    fractional: false,
    borderStimulus: false,
  },
  {
    claveProdServ: '01010101',
    claveUnidad: 'KGM',
    unidad: 'Kilogramo',
    descriptions: ['Café orgánico de Chiapas', 'Mercancía diversa a granel'],
    price: [80, 600],
    fractional: true,
    borderStimulus: false,
  },
];

export interface ReceiverSample {
  rfc: string;
  name: string;
  regime: string;
  postalCode: string;
}

// SAT's published test taxpayers (RFC and name as registered), with a postal code each.
export const receivers: readonly ReceiverSample[] = [
  { rfc: 'XIA190128J61', name: 'XENON INDUSTRIAL ARTICLES', regime: '601', postalCode: '76343' },
  { rfc: 'IIA040805DZ4', name: 'INDISTRIA ILUMINADORA DE ALMACENES', regime: '601', postalCode: '62661' },
  { rfc: 'H&E951128469', name: 'HERRERIA & ELECTRICOS', regime: '601', postalCode: '06002' },
  { rfc: 'URE180429TM6', name: 'UNIVERSIDAD ROBOTICA ESPAÑOLA', regime: '603', postalCode: '86991' },
  { rfc: 'CACX7605101P8', name: 'XOCHILT CASAS CHAVEZ', regime: '612', postalCode: '36257' },
  { rfc: 'FUNK671228PH6', name: 'KARLA FUENTE NOLASCO', regime: '612', postalCode: '01160' },
  { rfc: 'IAÑL750210963', name: 'LUIS IAN ÑUZCO', regime: '606', postalCode: '30248' },
  { rfc: 'MISC491214B86', name: 'CECILIA MIRANDA SANCHEZ', regime: '626', postalCode: '01010' },
];

// c_UsoCFDI: the uses each regime may receive, for both kinds of person unless noted (D01 is for
// individuals only, and 626 is not among its regimes).
const usesByRegime: Record<string, readonly string[]> = {
  '601': ['G01', 'G03', 'I04', 'I08', 'S01'],
  '603': ['G01', 'G03', 'I02', 'S01'],
  '606': ['G01', 'G03', 'D01', 'S01'],
  '612': ['G01', 'G03', 'I04', 'D01', 'S01'],
  '620': ['G01', 'G03', 'S01'],
  '621': ['G01', 'G03', 'S01'],
  '626': ['G01', 'G03', 'I04', 'S01'],
};

/** UsoCFDI keys valid for a receiver of that regime; S01 ("sin efectos fiscales") fits every one. */
export function usesFor(regime: string): readonly string[] {
  return usesByRegime[regime] ?? ['S01'];
}

/** c_FormaPago keys for a payment made at once (PUE); PPD takes 99. */
export const immediatePaymentForms = ['01', '02', '03', '04', '28'] as const;

/** c_CodigoPostal keys of offices inland, and in the northern border region (IVA 8% stimulus). */
export const inlandPostalCodes = ['06600', '44100', '64000', '52000', '86000', '76000'] as const;
export const borderPostalCodes = ['22000', '32000', '84000'] as const;
