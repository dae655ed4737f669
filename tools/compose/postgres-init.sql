-- Roles and databases of docker-compose.yml's PostgreSQL, run once by the image's entrypoint on
-- an empty data volume. The same ones the local stack creates (STACK_DATABASES in
-- tools/src/stack/postgres.ts; tools/toolchain/check-compose.sh compares them): the platform's
-- database, the sample monolith's and the simulators', each owned by its own role.

-- REPLICATION: the legacy adapter streams the monolith's changes (logical decoding).
CREATE ROLE order_platform LOGIN REPLICATION PASSWORD 'order_platform';
CREATE DATABASE order_platform OWNER order_platform;

CREATE ROLE legacy_monolith LOGIN REPLICATION PASSWORD 'legacy_monolith';
CREATE DATABASE legacy_monolith OWNER legacy_monolith;

CREATE ROLE simulators LOGIN REPLICATION PASSWORD 'simulators';
CREATE DATABASE simulators OWNER simulators;

-- Temporal's persistence and visibility stores; the temporal-schema service creates its tables.
CREATE ROLE temporal LOGIN PASSWORD 'temporal';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;

-- The image admits every database from other containers, but replication connections match only
-- lines naming `replication`, which it adds for localhost alone. The server reads this file when
-- it restarts at the end of initialisation.
\! echo 'host replication all all scram-sha-256' >> "$PGDATA/pg_hba.conf"
