import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { configError } from './helpers.js';

/** Every config mistake is a ConfigError naming the file and the full option path. */
const cases: [string, string, RegExp][] = [
  ['wrong type of fields', 'processors: [{drop_event: {}}, {drop_fields: {fields: 5}}]', /^test\.yml: processors\.1\.drop_fields\.fields: must be a list of strings, got 5$/],
  ['unknown processor', 'processors: [{drop_feilds: {fields: [a]}}]', /processors\.0\.drop_feilds: unknown processor; expected one of add_fields, add_tags, drop_event, drop_fields, include_fields, rename/],
  ['two processors in one item', 'processors: [{drop_event: {}, add_tags: {tags: [a]}}]', /processors\.0: must name exactly one processor .*got drop_event, add_tags/],
  ['empty item', 'processors: [{}]', /processors\.0: must name exactly one processor/],
  ['scalar item', 'processors: [drop_event]', /processors\.0: must be a section, got "drop_event"/],
  ['processors not a list', 'processors: {drop_event: {}}', /processors: must be a list, got a section/],
  ['both names', 'processors: []\nfilters: []', /filters: is the old name of processors; set only one of them/],
  ['processor options not a section', 'processors: [{drop_fields: [a]}]', /processors\.0\.drop_fields: must be a section/],
  ['unknown option', 'processors: [{drop_fields: {field: [a]}}]', /processors\.0\.drop_fields\.field: unknown option of drop_fields; expected one of fields, when/],
  ['missing fields', 'processors: [{drop_fields: {}}]', /processors\.0\.drop_fields\.fields: is required/],
  ['missing include fields', 'processors: [{include_fields: {when: {has_fields: [a]}}}]', /processors\.0\.include_fields\.fields: is required/],
  ['list item of wrong type', 'processors: [{include_fields: {fields: [a, {b: 1}]}}]', /processors\.0\.include_fields\.fields\.1: must be a string, got a section/],
  ['add_fields without fields', 'processors: [{add_fields: {target: x}}]', /processors\.0\.add_fields\.fields: is required/],
  ['add_fields fields not a section', 'processors: [{add_fields: {fields: [a]}}]', /processors\.0\.add_fields\.fields: must be a section/],
  ['add_tags without tags', 'processors: [{add_tags: {}}]', /processors\.0\.add_tags\.tags: is required/],
  ['rename pair without to', 'processors: [{rename: {fields: [{from: a}]}}]', /processors\.0\.rename\.fields\.0\.to: is required/],
  ['rename fields not a list', 'processors: [{rename: {fields: {from: a, to: b}}}]', /processors\.0\.rename\.fields: must be a list, got a section/],
  ['rename bad bool', 'processors: [{rename: {ignore_missing: maybe, fields: [{from: a, to: b}]}}]', /processors\.0\.rename\.ignore_missing: must be true or false, got "maybe"/],
  ['unknown condition', 'processors: [{drop_event: {when: {equal: {a: 1}}}}]', /processors\.0\.drop_event\.when\.equal: unknown condition; expected one of equals, contains/],
  ['two conditions', 'processors: [{drop_event: {when: {equals: {a: 1}, contains: {b: x}}}}]', /processors\.0\.drop_event\.when: must hold exactly one condition .*got equals, contains/],
  ['when without a condition', 'processors: [{drop_event: {when: }}]', /processors\.0\.drop_event\.when: must hold exactly one condition .*got nothing/],
  ['empty condition', 'processors: [{drop_event: {when: {}}}]', /processors\.0\.drop_event\.when: must hold exactly one condition .*got nothing/],
  ['equals with a list', 'processors: [{drop_event: {when: {equals: {a: [1]}}}}]', /processors\.0\.drop_event\.when\.equals\.a: must be a string, number or boolean, got a list/],
  ['equals with no field', 'processors: [{drop_event: {when: {equals: {}}}}]', /processors\.0\.drop_event\.when\.equals: must name at least one field/],
  ['contains with a number', 'processors: [{drop_event: {when: {contains: {a.b: 5}}}}]', /processors\.0\.drop_event\.when\.contains\.a\.b: must be a string, got 5/],
  ['bad regexp', "processors: [{drop_event: {when: {regexp: {msg: '(unclosed'}}}}]", /processors\.0\.drop_event\.when\.regexp\.msg: is not a valid regular expression \("\(unclosed"\)/],
  ['range without operator', 'processors: [{drop_event: {when: {range: {code: 400}}}}]', /processors\.0\.drop_event\.when\.range\.code: must end in one of \.gte, \.gt, \.lte, \.lt/],
  ['range bad operator', 'processors: [{drop_event: {when: {range: {code.ge: 400}}}}]', /when\.range\.code\.ge: must end in one of/],
  ['range not a number', 'processors: [{drop_event: {when: {range: {code.gte: high}}}}]', /when\.range\.code\.gte: must be a number, got "high"/],
  ['has_fields empty', 'processors: [{drop_event: {when: {has_fields: []}}}]', /when\.has_fields: must list at least one field/],
  ['or not a list', 'processors: [{drop_event: {when: {or: {equals: {a: 1}}}}}]', /when\.or: must be a list, got a section/],
  ['or empty', 'processors: [{drop_event: {when: {or: []}}}]', /when\.or: must list at least one condition/],
  ['error deep inside and/not', 'processors: [{drop_event: {}}, {drop_event: {when: {and: [{equals: {a: 1}}, {not: {range: {x.gte: y}}}]}}}]', /processors\.1\.drop_event\.when\.and\.1\.not\.range\.x\.gte: must be a number, got "y"/],
  ['error under filters:', 'filters: [{drop_fields: {fields: 5}}]', /filters\.0\.drop_fields\.fields: must be a list of strings, got 5/],
];

describe('config errors', () => {
  for (const [name, yaml, expected] of cases) {
    it(name, () => assert.match(configError(yaml), expected));
  }
});
