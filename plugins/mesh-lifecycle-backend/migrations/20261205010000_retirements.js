/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('retirements', table => {
    table.comment(
      'Retirement requests of mesh services and their decommission runs (mesh:service:decommission): one row per request, updated as it goes on',
    );
    table
      .string('id', 255)
      .primary()
      .comment('The request: the scaffolder task that files and runs it');
    table
      .text('entity_ref')
      .notNullable()
      .comment('The catalog entity ref of the service, lower case');
    table
      .string('state', 32)
      .notNullable()
      .comment('requested, running, completed, refused or failed');
    table
      .timestamp('requested_at', { useTz: true, precision: 3 })
      .notNullable()
      .comment('When it was filed');
    table
      .text('record')
      .notNullable()
      .comment('The whole record as JSON (RetirementRecord)');
    table.index(['entity_ref', 'requested_at'], 'retirements_entity_idx');
  });
  // One running decommission per service, whatever the replicas race.
  await knex.raw(
    "CREATE UNIQUE INDEX retirements_one_running ON retirements (entity_ref) WHERE state = 'running'",
  );
  await knex.schema.createTable('retirement_archive', table => {
    table.comment(
      'Objects a decommission deleted, each kept as YAML before its deletion',
    );
    table
      .string('retirement_id', 255)
      .notNullable()
      .references('id')
      .inTable('retirements')
      .onDelete('CASCADE')
      .comment('The retirement that deleted it');
    table
      .string('object_key', 1024)
      .notNullable()
      .comment(
        'apiVersion/kind/namespace/name/uid: one copy per object and retirement',
      );
    table.integer('position').notNullable().comment('Deletion order');
    table
      .text('object')
      .notNullable()
      .comment('The archived object as JSON (ArchivedObjectRecord)');
    table.primary(['retirement_id', 'object_key']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('retirement_archive');
  await knex.schema.dropTable('retirements');
};
