/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('traffic_shifts', table => {
    table.comment(
      'Traffic shifts of mesh services run by the scaffolder action mesh:traffic:shift: one row per shift, updated as its steps are analysed',
    );
    table
      .string('id', 255)
      .primary()
      .comment('The scaffolder task and step that ran the shift');
    table
      .text('entity_ref')
      .notNullable()
      .comment('The catalog entity ref of the service, lower case');
    table
      .timestamp('started_at', { useTz: true, precision: 3 })
      .notNullable()
      .comment('When the shift started');
    table
      .string('outcome', 32)
      .notNullable()
      .comment('running, completed, rolled-back or failed');
    table
      .text('record')
      .notNullable()
      .comment('The whole record as JSON (TrafficShiftRecord)');
    table.index(['entity_ref', 'started_at'], 'traffic_shifts_entity_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('traffic_shifts');
};
