import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributeAnswerWords, type AttributeDefinition } from '../../src/standard/attributes.js';

const roadClass: AttributeDefinition = {
  code: 'road_class',
  datatype: 'singlevaluelist',
  required: false,
  description: 'What kind of road is it?',
  values: [
    { key: '3', name: 'Class 3: a collector road between neighbourhoods' },
    { key: 'unknown', name: 'Not sure' },
  ],
};

test('a customer\'s answer reads in words: a list key as its name, and "Not sure" where they said not sure, even when the list does not name it (issue 18 point 6)', () => {
  assert.equal(attributeAnswerWords(roadClass, 'unknown'), 'Not sure');
  assert.equal(attributeAnswerWords(roadClass, '3'), 'Class 3: a collector road between neighbourhoods');
  assert.equal(attributeAnswerWords({ ...roadClass, values: [{ key: '3', name: 'Class 3' }] }, 'unknown'), 'Not sure', 'a list without its own "Not sure" name');
  assert.equal(attributeAnswerWords(undefined, 'unknown'), 'Not sure', 'a retired request type');
  assert.equal(attributeAnswerWords(roadClass, ['3', 'unknown']), 'Class 3: a collector road between neighbourhoods, Not sure');
  assert.equal(attributeAnswerWords(roadClass, '9'), '9', 'a value the list no longer has reads as given');
  assert.equal(attributeAnswerWords({ code: 'pole_number', datatype: 'string', required: false, description: 'The number on the pole' }, 'LP-42'), 'LP-42');
});
