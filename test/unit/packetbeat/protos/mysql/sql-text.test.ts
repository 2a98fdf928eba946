// SQL text helpers: statement keyword, splitting, password redaction, CSV rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstKeyword, redactPasswords, rowsText, splitStatements } from '../../../../../src/beats/packetbeat/protos/mysql/sql-text.js';

test('firstKeyword skips blanks, comments and parentheses', () => {
  assert.equal(firstKeyword('  select 1'), 'SELECT');
  assert.equal(firstKeyword('/* hint */ -- x\n(SELECT 1) UNION (SELECT 2)'), 'SELECT');
  assert.equal(firstKeyword('# c\ninsert into t values (1)'), 'INSERT');
  assert.equal(firstKeyword(''), undefined);
  assert.equal(firstKeyword('123'), '123');
});

test('splitStatements honours quotes, identifiers, comments and dollar quotes', () => {
  assert.deepEqual(splitStatements("SELECT ';'; SELECT `a;b` FROM t; -- x;y\nSELECT 3;"), ["SELECT ';'", 'SELECT `a;b` FROM t', '-- x;y\nSELECT 3']);
  assert.deepEqual(splitStatements("SELECT 'it''s; ok'; SELECT 2", {}), ["SELECT 'it''s; ok'", 'SELECT 2']);
  assert.deepEqual(splitStatements("SELECT 'a\\';b'; SELECT 2", { backslashEscapes: true }), ["SELECT 'a\\';b'", 'SELECT 2']);
  assert.deepEqual(splitStatements('DO $$ BEGIN x; y; END $$; SELECT 1', { dollarQuotes: true }), ['DO $$ BEGIN x; y; END $$', 'SELECT 1']);
  assert.deepEqual(splitStatements('SELECT 1 /* ; */;  '), ['SELECT 1 /* ; */']);
  assert.deepEqual(splitStatements(' ; ; '), []);
  assert.deepEqual(splitStatements("SELECT 'unterminated; x"), ["SELECT 'unterminated; x"]);
});

test('redactPasswords hides the literals that set passwords', () => {
  assert.equal(redactPasswords("CREATE USER 'app'@'%' IDENTIFIED BY 's3cret'"), "CREATE USER 'app'@'%' IDENTIFIED BY '*****'");
  assert.equal(redactPasswords("ALTER USER u IDENTIFIED WITH mysql_native_password BY 'x''y'"), "ALTER USER u IDENTIFIED WITH mysql_native_password BY '*****'");
  assert.equal(redactPasswords("SET PASSWORD FOR u = PASSWORD('abc')"), "SET PASSWORD FOR u = PASSWORD('*****')");
  assert.equal(redactPasswords("CHANGE MASTER TO MASTER_USER='r', MASTER_PASSWORD='pw'"), "CHANGE MASTER TO MASTER_USER='r', MASTER_PASSWORD='*****'");
  assert.equal(redactPasswords("ALTER ROLE bob WITH ENCRYPTED PASSWORD 'hunter2'"), "ALTER ROLE bob WITH ENCRYPTED PASSWORD '*****'");
  assert.equal(redactPasswords("SELECT password FROM users WHERE name = 'x'"), "SELECT password FROM users WHERE name = 'x'");
  assert.equal(redactPasswords('SELECT 1'), 'SELECT 1');
});

test('rowsText: header, CSV quoting, NULL, row cut', () => {
  assert.equal(rowsText(['a', 'b'], [['1', null], ['x,y', 'say "hi"']], 0), 'a,b\n1,NULL\n"x,y","say ""hi"""');
  assert.equal(rowsText(['a'], [['abcdef']], 3), 'a\nabc');
});
