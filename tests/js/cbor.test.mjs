// The CBOR decoder: RFC 8949 Appendix A examples, strictness (truncation, trailing bytes,
// duplicate keys, depth), the tags cbor2 interprets, and the encoder.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  CborError,
  CborFloat,
  SimpleValue,
  Tagged,
  decode,
  encode,
} from '../../pwa/js/verify/cbor.js';
import { hex } from './helpers.mjs';

const d = (h) => decode(hex(h));

test('RFC 8949 Appendix A: integers', () => {
  const cases = {
    '00': 0,
    '01': 1,
    '0a': 10,
    '17': 23,
    1818: 24,
    1819: 25,
    1864: 100,
    '1903e8': 1000,
    '1a000f4240': 1000000,
    '1b000000e8d4a51000': 1000000000000,
    '1bffffffffffffffff': 18446744073709551615n,
    '3bffffffffffffffff': -18446744073709551616n,
    '1b001fffffffffffff': Number.MAX_SAFE_INTEGER,
    '1b0020000000000000': 2n ** 53n,
    '3b001ffffffffffffe': -Number.MAX_SAFE_INTEGER,
    '3b001fffffffffffff': -(2n ** 53n),
    20: -1,
    29: -10,
    3863: -100,
    '3903e7': -1000,
    c249010000000000000000: 18446744073709551616n,
    c349010000000000000000: -18446744073709551617n,
    c24101: 1,
  };
  for (const [h, value] of Object.entries(cases)) assert.equal(d(h), value, h);
});

test('RFC 8949 Appendix A: floats keep their float-ness', () => {
  const cases = {
    f90000: 0,
    f98000: -0,
    f93c00: 1,
    fb3ff199999999999a: 1.1,
    f93e00: 1.5,
    f97bff: 65504,
    fa47c35000: 100000,
    fa7f7fffff: 3.4028234663852886e38,
    fb7e37e43c8800759c: 1e300,
    f90001: 5.960464477539063e-8,
    f90400: 0.00006103515625,
    f9c400: -4,
    fbc010666666666666: -4.1,
    f97c00: Infinity,
    f9fc00: -Infinity,
    fa7f800000: Infinity,
  };
  for (const [h, value] of Object.entries(cases)) {
    const got = d(h);
    assert.ok(got instanceof CborFloat, h);
    assert.ok(Object.is(got.valueOf(), value), `${h}: ${got} != ${value}`);
  }
  assert.ok(Number.isNaN(d('f97e00').valueOf()));
  assert.ok(Number.isNaN(d('fb7ff8000000000000').valueOf()));
  assert.equal(JSON.stringify(d('fb41d823cf40200000')), '1620000000.5');
});

test('RFC 8949 Appendix A: simple values, strings, arrays, maps, tags', () => {
  assert.equal(d('f4'), false);
  assert.equal(d('f5'), true);
  assert.equal(d('f6'), null);
  assert.equal(d('f7'), undefined);
  assert.deepEqual(d('f0'), new SimpleValue(16));
  assert.deepEqual(d('f8ff'), new SimpleValue(255));
  assert.deepEqual(d('40'), new Uint8Array(0));
  assert.deepEqual(d('4401020304'), Uint8Array.from([1, 2, 3, 4]));
  assert.equal(d('60'), '');
  assert.equal(d('6449455446'), 'IETF');
  assert.equal(d('62225c'), '"\\');
  assert.equal(d('62c3bc'), '\u00fc');
  assert.equal(d('63e6b0b4'), '\u6c34');
  assert.equal(d('64f0908591'), '\u{10151}');
  assert.equal(d('63efbbbf'), '\ufeff'); // a BOM is content, not stripped
  assert.deepEqual(d('80'), []);
  assert.deepEqual(d('83010203'), [1, 2, 3]);
  assert.deepEqual(d('8301820203820405'), [1, [2, 3], [4, 5]]);
  assert.equal(d('98190102030405060708090a0b0c0d0e0f101112131415161718181819').length, 25);
  assert.deepEqual(d('a0'), new Map());
  assert.deepEqual(d('a201020304'), new Map([[1, 2], [3, 4]]));
  assert.deepEqual(d('a26161016162820203'), new Map([['a', 1], ['b', [2, 3]]]));
  assert.deepEqual(d('d74401020304'), new Tagged(23, Uint8Array.from([1, 2, 3, 4])));
  assert.deepEqual(d('d818456449455446'), new Tagged(24, hex('6449455446')));
  assert.deepEqual(d('d82076687474703a2f2f7777772e6578616d706c652e636f6d'), new Tagged(32, 'http://www.example.com'));
  assert.deepEqual(d('c074323031332d30332d32315432303a30343a30305a'), new Tagged(0, '2013-03-21T20:04:00Z'));
  assert.deepEqual(d('c11a514b67b0'), new Tagged(1, 1363896240));
  assert.deepEqual(d('dbffffffffffffffff01'), new Tagged(18446744073709551615n, 1));
});

test('indefinite lengths', () => {
  assert.deepEqual(d('5f42010243030405ff'), Uint8Array.from([1, 2, 3, 4, 5]));
  assert.equal(d('7f657374726561646d696e67ff'), 'streaming');
  assert.deepEqual(d('9fff'), []);
  assert.deepEqual(d('9f018202039f0405ffff'), [1, [2, 3], [4, 5]]);
  assert.deepEqual(d('83018202039f0405ff'), [1, [2, 3], [4, 5]]);
  assert.deepEqual(d('bf61610161629f0203ffff'), new Map([['a', 1], ['b', [2, 3]]]));
  assert.deepEqual(d('bf6346756ef563416d7421ff'), new Map([['Fun', true], ['Amt', -2]]));
});

test('malformed input is a CborError, never another exception', () => {
  const bad = [
    '', // nothing
    '18', '19 00', '1a 000000', '1b 00000000000000', // truncated arguments
    '1c', '1d', '1e', '1f', '3f', 'df 01', // reserved / indefinite where not allowed
    '41', '62 61', '5f 41', '5f 4101', '7f 6161', // truncated strings
    '5f 6161 ff', '7f 4161 ff', '5f 5f4101ff ff', // bad chunks
    '61 ff', '62 c3 28', '7f 61c3 61a9 ff', '63 eda080', // invalid UTF-8 (incl. a surrogate)
    '81', '82 01', '9f 01', 'a1 01', 'a2 0102 03', 'bf 01 ff', 'bf 01', // truncated containers
    'ff', '81 ff', 'f8 18', 'f8 1f', 'f9 00', 'fa 000000', 'fb 00000000000000',
    '01 00', 'f6 f6', // trailing data
    '9b ffffffffffffffff', '9a 7fffffff', '5b ffffffffffffffff 00', 'bb ffffffffffffffff', // huge
    'a2 0101 0102', 'a2 01f5 f502', 'a2 00f4 f90000 f5', 'a2 4101 00 4101 01', // duplicate keys
    'a2 820102 00 820102 01', 'a2 c24101 f5 01 f4', 'a2 10 f5 f0 f4',
    'c1 6161', 'c1 f97e00', 'c1 1b0000003afff44180', 'c0 6474657374', 'c0 73323032302d30322d32305430383a30303a3030',
    'c2 01', 'c2 a0', 'c4 8101', 'd825 4101', 'd864 fb3ff0000000000000', 'd90102 a0', 'd90104 4101',
    'd81e 820100', 'd819 00', 'd81d 00', 'd903ec 6a323032302d30322d3330',
  ];
  for (const h of bad) assert.throws(() => d(h), CborError, h);
  assert.throws(() => decode('text'), CborError);
});

test('nesting: 24 containers are fine, 25 are not (arrays, maps and tags alike)', () => {
  assert.doesNotThrow(() => d('81'.repeat(24) + '01'));
  assert.throws(() => d('81'.repeat(25) + '01'), /depth/);
  assert.doesNotThrow(() => d('a101'.repeat(24) + '01'));
  assert.throws(() => d('a101'.repeat(25) + '01'), /depth/);
  assert.doesNotThrow(() => d('d2'.repeat(24) + '01'));
  assert.throws(() => d('d2'.repeat(25) + '01'), /depth/);
  assert.throws(() => d('81'.repeat(23) + 'a18101f5'), /depth/); // a map key counts too
  assert.doesNotThrow(() => d('81'.repeat(24) + '5f4101ff')); // strings do not
  assert.throws(() => d('81'.repeat(100000) + '01'), /depth/); // no stack overflow
});

test('map keys compare as in Python: true == 1 == 1.0, NaN never equal', () => {
  const map = d('a2f501f402');
  assert.deepEqual([...map.keys()], [1, 0]);
  assert.equal(d('a1 fb 4018000000000000 f5'.replace(/ /g, '')).get(6), true);
  assert.doesNotThrow(() => d('a2f97e00f5f97e00f4'));
  const composite = d('a2 4101 00 4102 01'.replace(/ /g, ''));
  assert.equal(composite.size, 2);
});

test('interpreted tags: bignums become integers, 55799/28/256 are transparent', () => {
  assert.equal(d('c240'), 0);
  assert.equal(d('c340'), -1);
  assert.equal(d('d9d9f7 01'.replace(/ /g, '')), 1);
  assert.deepEqual(d('82d81c01d81d00'), [1, 1]);
  assert.deepEqual(d('d901008263616263d81900'), ['abc', 'abc']);
  assert.deepEqual(d('d825500102030405060708090a0b0c0d0e0f10'), new Tagged(37, hex('0102030405060708090a0b0c0d0e0f10')));
});

test('encode writes definite lengths and the shortest integers', () => {
  const cases = [
    [0, '00'],
    [23, '17'],
    [24, '1818'],
    [256, '190100'],
    [65536, '1a00010000'],
    [2 ** 32, '1b0000000100000000'],
    [-1, '20'],
    [-65537, '3a00010000'],
    [18446744073709551615n, '1bffffffffffffffff'],
    [1.5, 'fb3ff8000000000000'],
    ['IETF', '6449455446'],
    [Uint8Array.from([1, 2]), '420102'],
    [[1, [2, 3]], '8201820203'],
    [new Map([[1, -7], [4, Uint8Array.from([1])]]), 'a201260441' + '01'],
    [new Tagged(18, []), 'd280'],
    [null, 'f6'],
    [true, 'f5'],
    [undefined, 'f7'],
  ];
  for (const [value, h] of cases) {
    assert.equal(Buffer.from(encode(value)).toString('hex'), h, String(value));
  }
  const complex = new Map([[6, 1582185600], [-65537, [Uint8Array.from([1, 2, 3, 4, 5, 6]), 1, 1, null, '张*三', '123X']]]);
  assert.deepEqual(decode(encode(complex)), complex);
});
