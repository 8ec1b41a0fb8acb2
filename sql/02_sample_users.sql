-- sql/02_sample_users.sql: the original service's 42 sample users
-- (../shared/data/sample_users.sql, rows unchanged). The session is UTF-8
-- and UTC so that accented text (user 8's nickname) arrives intact and NOW()
-- is stored in UTC.

SET NAMES utf8mb4;
SET time_zone = '+00:00';

INSERT INTO users (id, nickname, first_name, last_name, email, identification_type, identification_number, country_id, creation_date, update_date) VALUES
(1, 'RAFA-CON', 'Rafael', 'Castro', 'rafael_castro88@gmail.com', 'DNI', '445938822', 'AR', NOW(), NOW()),
(2, 'JAVIER GONZALEZ', 'Javier', 'Gonzalez', 'javiBoquita@gmail.com', 'DNI', '2672268765', 'AR', NOW(), NOW()),
(3, 'HECTOR SS G', 'Hector', 'Gomez', 'hectorGomez78@gmail.com', 'DNI', '2172265827', 'AR', NOW(), NOW()),
(4, 'GABRIELA JIMENEZ', 'Gabriela', 'Jimenez', 'gabriela.consultas@hotmail.com', 'DNI', '410871223', 'AR', NOW(), NOW()),
(5, 'GUSTA G K', 'Gustavo', 'Gomez', 'gustavo_andaluz@gmail.com', 'PASAPORTE', '748000221', 'AR', NOW(), NOW()),
(6, 'JOSE_PEREZ', 'Jose', 'Perez', 'jose_consultasInternas@hotmail.com', 'DNI', '22287680', 'AR', NOW(), NOW()),
(7, 'JULI54', 'Julieta', 'Bustos', 'julietaBustos@outlook.com', 'DNI', '3456271812', 'AR', NOW(), NOW()),
(8, 'RAMÓN2022', 'Ramon', 'Castro', 'ramoncnc2022@gmail.com', 'DNI', '2271617711', 'AR', NOW(), NOW()),
(9, 'LUIS_MATERA', 'Luis', 'Matera', 'luis_jose_matera_91@hotmail.com', 'DNI', '252441112', 'AR', NOW(), NOW()),
(10, 'CARLOS MARTINEZ', 'Carlos', 'Martinez', 'carlos_etec_martinez@gmail.com', 'DNI', '2718181112', 'AR', NOW(), NOW()),
(11, 'SOFIA PAZ', 'Sofia', 'Paz', 'sofi.paz.107@hotmail.com', 'DNI', '2617223234', 'AR', NOW(), NOW()),
(12, 'ELENA FUKZEK', 'Elena', 'Fukzek', 'elenaFukzekLikert@gmail.com', 'PASAPORTE', '34522122', 'AR', NOW(), NOW()),
(13, 'MARIA_LOPEZ', 'Maria', 'Lopez', 'maria.lopez@gmail.com', 'DNI', '28765432', 'AR', NOW(), NOW()),
(14, 'JUAN_PEREZ', 'Juan', 'Perez', 'juan.perez@hotmail.com', 'DNI', '29876543', 'AR', NOW(), NOW()),
(15, 'ANA_GARCIA', 'Ana', 'Garcia', 'ana.garcia@outlook.com', 'DNI', '30987654', 'AR', NOW(), NOW()),
(16, 'PEDRO_SANCHEZ', 'Pedro', 'Sanchez', 'pedro.sanchez@gmail.com', 'DNI', '32098765', 'AR', NOW(), NOW()),
(17, 'LAURA_MARTINEZ', 'Laura', 'Martinez', 'laura.martinez@hotmail.com', 'DNI', '33109876', 'AR', NOW(), NOW()),
(18, 'CARLOS_RODRIGUEZ', 'Carlos', 'Rodriguez', 'carlos.rodriguez@outlook.com', 'DNI', '34210987', 'AR', NOW(), NOW()),
(19, 'SUSANA_FERNANDEZ', 'Susana', 'Fernandez', 'susana.fernandez@gmail.com', 'DNI', '35321098', 'AR', NOW(), NOW()),
(20, 'ROBERTO_DIAZ', 'Roberto', 'Diaz', 'roberto.diaz@hotmail.com', 'DNI', '36432109', 'AR', NOW(), NOW()),
(21, 'PATRICIA_ROMERO', 'Patricia', 'Romero', 'patricia.romero@outlook.com', 'DNI', '37543210', 'AR', NOW(), NOW()),
(22, 'MIGUEL_TORRES', 'Miguel', 'Torres', 'miguel.torres@gmail.com', 'DNI', '38654321', 'AR', NOW(), NOW()),
(23, 'ELENA_MORALES', 'Elena', 'Morales', 'elena.morales@hotmail.com', 'DNI', '39765432', 'AR', NOW(), NOW()),
(24, 'JORGE_SILVA', 'Jorge', 'Silva', 'jorge.silva@outlook.com', 'DNI', '40876543', 'AR', NOW(), NOW()),
(25, 'NATALIA_ORTIZ', 'Natalia', 'Ortiz', 'natalia.ortiz@gmail.com', 'DNI', '41987654', 'AR', NOW(), NOW()),
(26, 'FERNANDO_NAVARRO', 'Fernando', 'Navarro', 'fernando.navarro@hotmail.com', 'DNI', '43098765', 'AR', NOW(), NOW()),
(27, 'MARIANA_RAMIREZ', 'Mariana', 'Ramirez', 'mariana.ramirez@outlook.com', 'DNI', '44109876', 'AR', NOW(), NOW()),
(28, 'DIEGO_MENDOZA', 'Diego', 'Mendoza', 'diego.mendoza@gmail.com', 'DNI', '45210987', 'AR', NOW(), NOW()),
(29, 'VALERIA_HERRERA', 'Valeria', 'Herrera', 'valeria.herrera@hotmail.com', 'DNI', '46321098', 'AR', NOW(), NOW()),
(30, 'MARTIN_GIMENEZ', 'Martin', 'Gimenez', 'martin.gimenez@outlook.com', 'DNI', '47432109', 'AR', NOW(), NOW()),
(31, 'FLORENCIA_ACOSTA', 'Florencia', 'Acosta', 'florencia.acosta@gmail.com', 'DNI', '48543210', 'AR', NOW(), NOW()),
(32, 'FEDERICO_MEDINA', 'Federico', 'Medina', 'federico.medina@hotmail.com', 'DNI', '49654321', 'AR', NOW(), NOW()),
(33, 'LUCIA_CORDOBA', 'Lucia', 'Cordoba', 'lucia.cordoba@outlook.com', 'DNI', '50765432', 'AR', NOW(), NOW()),
(34, 'AGUSTIN_FERRARI', 'Agustin', 'Ferrari', 'agustin.ferrari@gmail.com', 'DNI', '51876543', 'AR', NOW(), NOW()),
(35, 'CAMILA_BENITEZ', 'Camila', 'Benitez', 'camila.benitez@hotmail.com', 'DNI', '52987654', 'AR', NOW(), NOW()),
(36, 'MAXIMILIANO_RIOS', 'Maximiliano', 'Rios', 'maximiliano.rios@outlook.com', 'DNI', '53098765', 'AR', NOW(), NOW()),
(37, 'SOLEDAD_MOLINA', 'Soledad', 'Molina', 'soledad.molina@gmail.com', 'DNI', '54109876', 'AR', NOW(), NOW()),
(38, 'FACUNDO_JUAREZ', 'Facundo', 'Juarez', 'facundo.juarez@hotmail.com', 'DNI', '55210987', 'AR', NOW(), NOW()),
(39, 'ROMINA_AGUIRRE', 'Romina', 'Aguirre', 'romina.aguirre@outlook.com', 'DNI', '56321098', 'AR', NOW(), NOW()),
(40, 'LEANDRO_MANSILLA', 'Leandro', 'Mansilla', 'leandro.mansilla@gmail.com', 'DNI', '57432109', 'AR', NOW(), NOW()),
(41, 'JULIANA_ESCOBAR', 'Juliana', 'Escobar', 'juliana.escobar@hotmail.com', 'DNI', '58543210', 'AR', NOW(), NOW()),
(42, 'TOMAS_ARIAS', 'Tomas', 'Arias', 'tomas.arias@outlook.com', 'DNI', '59654321', 'AR', NOW(), NOW());
