import type { Rule } from '../rule-context.js';
import { comprobanteDePagoRules } from './comprobante-de-pago.js';
import { doctoRelacionadoRules } from './docto-relacionado.js';
import { impuestosPRules } from './impuestos-p.js';
import { pagoRules } from './pago.js';
import { totalesRules } from './totales.js';

/** The Pagos 2.0 rules (CRP2xxxx), for a Comprobante that carries the complement. */
export const pagos20Rules: Rule[] = [
  ...comprobanteDePagoRules,
  ...totalesRules,
  ...pagoRules,
  ...doctoRelacionadoRules,
  ...impuestosPRules,
];
