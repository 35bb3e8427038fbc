import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from './csv.js';

describe('reading CSV (RFC 4180)', () => {
  it.each([
    [
      'plain fields',
      'a,b,c\n1,2,3\n',
      [
        ['a', 'b', 'c'],
        ['1', '2', '3'],
      ],
    ],
    [
      'CRLF line ends',
      'a,b\r\n1,2\r\n',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'no line break after the last record',
      'a,b\n1,2',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'empty fields',
      'a,,c\n,,\n',
      [
        ['a', '', 'c'],
        ['', '', ''],
      ],
    ],
    [
      'a quoted comma',
      'key,description\n02,"Devoluciones, descuentos"\n',
      [
        ['key', 'description'],
        ['02', 'Devoluciones, descuentos'],
      ],
    ],
    ['a doubled quote', '"say ""hi""",x\n', [['say "hi"', 'x']]],
    [
      'a line break inside quotes',
      '"two\nlines",x\ny,z\n',
      [
        ['two\nlines', 'x'],
        ['y', 'z'],
      ],
    ],
    [
      'a CRLF inside quotes',
      '"two\r\nlines",x\r\ny,z\r\n',
      [
        ['two\r\nlines', 'x'],
        ['y', 'z'],
      ],
    ],
    ['an empty quoted field', '"",x\n', [['', 'x']]],
    [
      'a quoted field last on its line',
      'x,"a,b"\r\ny,z',
      [
        ['x', 'a,b'],
        ['y', 'z'],
      ],
    ],
    ['a byte-order mark', '\uFEFFkey\nMXN\n', [['key'], ['MXN']]],
    ['blank lines', 'a\n\nb\n\n', [['a'], ['b']]],
    ['non-ASCII text', 'MEX,México,"[A-Z&Ñ]{3,4}"\n', [['MEX', 'México', '[A-Z&Ñ]{3,4}']]],
  ])('reads %s', (_case, text, records) => {
    expect(parseCsv(text)).toEqual(records);
  });

  it('reads quoted and plain lines mixed, in order', () => {
    const text = 'a,1\nb,"2,5"\nc,3\nd,"4\n4"\ne,5\n';
    expect(parseCsv(text)).toEqual([
      ['a', '1'],
      ['b', '2,5'],
      ['c', '3'],
      ['d', '4\n4'],
      ['e', '5'],
    ]);
  });

  it.each([
    ['an unclosed quote', 'a,"b\nc\n', 1],
    ['text after a closing quote', 'x\n"a"b,c\n', 2],
    ['a quote inside a plain field', 'x\ny,a"b"\n', 2],
    ['a bare carriage return', 'a,"b"\rc\n', 1],
  ])('refuses %s, naming the line', (_case, text, line) => {
    const failure = (() => {
      try {
        parseCsv(text);
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(CsvSyntaxError);
    expect(failure).toMatchObject({ code: 'csv_malformed', line });
  });
});
