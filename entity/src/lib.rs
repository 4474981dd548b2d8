//! SeaORM entities, one module per table.
