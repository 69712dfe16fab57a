/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('lifecycle_history', table => {
    table.comment(
      'Lifecycle records of mesh services: one row each time the phase, inferred phase, health or a gate status of a service changed',
    );
    table
      .bigIncrements('id')
      .comment('Insertion order: the higher, the more recent');
    table
      .text('entity_ref')
      .notNullable()
      .comment('The catalog entity ref of the service');
    table.text('phase').notNullable().comment('The phase in force');
    table
      .text('inferred')
      .notNullable()
      .comment('The phase inferred from what runs');
    table.text('health').notNullable().comment('The health verdict');
    table
      .text('gates')
      .notNullable()
      .comment('JSON array of { id, status } of the gates to the next phase');
    table
      .timestamp('recorded_at', { useTz: true, precision: 3 })
      .notNullable()
      .comment('When the record was made');
    table.index(['entity_ref', 'id'], 'lifecycle_history_entity_ref_id_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('lifecycle_history');
};
