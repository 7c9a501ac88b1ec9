-- A cipco file at schema revision 0005 built by cipco b27e719 (custody hash form 1),
-- by make_legacy_0005.py in this folder: tests of migration 0006 load it with sqlite3.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO alembic_version VALUES('0005');
CREATE TABLE audit_event (
	id INTEGER NOT NULL, 
	table_name VARCHAR NOT NULL, 
	record_id INTEGER NOT NULL, 
	action VARCHAR NOT NULL, 
	field VARCHAR, 
	old VARCHAR, 
	new VARCHAR, 
	actor VARCHAR NOT NULL, 
	at DATETIME NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO audit_event VALUES(1,'prisoner',1,'insert',NULL,NULL,NULL,'old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(2,'referral',1,'insert',NULL,NULL,NULL,'old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(3,'referral',1,'update','next_due_label',NULL,'Lay adjudication charge (48 h)','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(4,'referral',2,'insert',NULL,NULL,NULL,'old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(5,'referral',2,'update','next_due_label',NULL,'Lay adjudication charge (48 h)','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(6,'exhibit',1,'insert',NULL,NULL,NULL,'old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(7,'exhibit',1,'update','event_count','0','1','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(8,'exhibit',1,'update','head_hash','','df26a5b26ec8d88dd8e2f8f65886eb5687721f12021d1fafb5bba8f98f39ab9a','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(9,'exhibit',1,'update','review_due_on',NULL,'2027-02-11','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(10,'exhibit',1,'update','holder','Officer J. Smith','SO P. Carr','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(11,'exhibit',1,'update','last_movement_at','2026-11-13T10:00:00+00:00','2026-11-14T10:00:00+00:00','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(12,'exhibit',1,'update','event_count','1','2','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(13,'exhibit',1,'update','head_hash','df26a5b26ec8d88dd8e2f8f65886eb5687721f12021d1fafb5bba8f98f39ab9a','db78a2811d8bfd094e4ab4dafb751f80331b10292c21e80f31afebaba7f250ee','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(14,'exhibit',1,'update','review_due_on','2027-02-11','2027-02-12','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(15,'exhibit',1,'update','holder','SO P. Carr','CiPCo A. Whitfeld','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(16,'exhibit',1,'update','last_movement_at','2026-11-14T10:00:00+00:00','2026-11-15T10:00:00+00:00','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(17,'exhibit',1,'update','event_count','2','3','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(18,'exhibit',1,'update','head_hash','db78a2811d8bfd094e4ab4dafb751f80331b10292c21e80f31afebaba7f250ee','30e0ec2648ee2b8bd304157ae36dcced9e038ff25fbd5f7e5bc78a8fb92d065b','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(19,'exhibit',1,'update','review_due_on','2027-02-12','2027-02-13','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(20,'exhibit',1,'update','holder','CiPCo A. Whitfeld','CiPCo A. Whitfield','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(21,'exhibit',1,'update','event_count','3','4','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(22,'exhibit',1,'update','head_hash','30e0ec2648ee2b8bd304157ae36dcced9e038ff25fbd5f7e5bc78a8fb92d065b','9bbbab74df52ee793ab3af17a9c93b25821af1dede9ae815c55b1f4642365f8e','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(23,'exhibit',2,'insert',NULL,NULL,NULL,'old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(24,'exhibit',2,'update','event_count','0','1','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(25,'exhibit',2,'update','head_hash','','bb98fdfa5109c1a25f53a7afbc788333c40afa4a4ec8dd70e24af67406e62162','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(26,'exhibit',2,'update','review_due_on',NULL,'2027-02-11','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(27,'exhibit',2,'update','hold','False','True','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(28,'exhibit',2,'update','hold_reason',NULL,'Appeal pending','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(29,'exhibit',3,'insert',NULL,NULL,NULL,'old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(30,'exhibit',3,'update','event_count','0','1','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(31,'exhibit',3,'update','head_hash','','004d5bd7d673d7bd476ca9c01f86af3e2f1b62102801a3d329a1c10cc767afa0','old coordinator','2026-11-18 10:00:00.000000','LEI');
INSERT INTO audit_event VALUES(32,'exhibit',3,'update','review_due_on',NULL,'2027-02-11','old coordinator','2026-11-18 10:00:00.000000','LEI');
CREATE TABLE crime_category (
	code VARCHAR NOT NULL, 
	label VARCHAR NOT NULL, 
	mandatory_referral BOOLEAN NOT NULL, 
	serious_incident BOOLEAN NOT NULL, 
	summary_only_possible BOOLEAN NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (code)
);
INSERT INTO crime_category VALUES('HOMICIDE','Murder, attempted murder, manslaughter',1,1,0,1);
INSERT INTO crime_category VALUES('RAPE','Rape or attempted rape',1,1,0,1);
INSERT INTO crime_category VALUES('SEXUAL_OFFENCE','Other sexual offence',1,0,0,1);
INSERT INTO crime_category VALUES('THREAT_TO_KILL','Threat to kill (evidence of intent or threat-to-life intelligence)',1,0,0,1);
INSERT INTO crime_category VALUES('SERIOUS_VIOLENCE','Serious violence or serious threat of violence',1,0,0,1);
INSERT INTO crime_category VALUES('SERIOUS_INJURY','Offence causing serious injury',1,0,0,1);
INSERT INTO crime_category VALUES('STAFF_ASSAULT','Assault on staff (more than little or no injury)',1,0,0,1);
INSERT INTO crime_category VALUES('STAFF_ASSAULT_MINOR','Assault on staff, little or no injury (refer if victim asks)',0,0,0,1);
INSERT INTO crime_category VALUES('POTTING','Bodily fluids thrown at staff, hitting face or head',1,0,0,1);
INSERT INTO crime_category VALUES('PRISONER_ASSAULT','Assault on a prisoner (case by case)',0,0,1,1);
INSERT INTO crime_category VALUES('HOSTAGE','Hostage taking or false imprisonment',1,1,0,1);
INSERT INTO crime_category VALUES('RIOT_DISORDER','Riot, mutiny or serious disorder',1,1,0,1);
INSERT INTO crime_category VALUES('ESCAPE','Escape from prison or escort',1,1,0,1);
INSERT INTO crime_category VALUES('ABSCOND_24H','Abscond, at large more than 24 hours',1,0,0,1);
INSERT INTO crime_category VALUES('CORRUPTION','Misconduct in public office (staff corruption)',1,0,0,1);
INSERT INTO crime_category VALUES('ROBBERY','Robbery with serious violence or a weapon',1,0,0,1);
INSERT INTO crime_category VALUES('DRUGS_SUPPLY','Possession with intent to supply drugs (incl. psychoactive substances)',1,0,0,1);
INSERT INTO crime_category VALUES('DRUGS_VISITOR_STAFF','Drug possession by a visitor or staff member',1,0,0,1);
INSERT INTO crime_category VALUES('CONVEYANCE_LIST_A','Conveyance of List A items (drugs, explosives, firearms, ammunition, weapons)',1,0,0,1);
INSERT INTO crime_category VALUES('MOBILE_PHONE','Mobile phone or components',1,0,0,1);
INSERT INTO crime_category VALUES('CONVEYANCE_LIST_B_C','Conveyance of List B or C items (case by case)',0,0,0,1);
INSERT INTO crime_category VALUES('WEAPON_POSSESSION','Possession of a knife, blade or offensive weapon (case by case)',0,0,0,1);
INSERT INTO crime_category VALUES('CRIMINAL_DAMAGE','Criminal damage or arson (case by case)',0,0,1,1);
INSERT INTO crime_category VALUES('HATE_CRIME','Hate-motivated offence (case by case)',0,0,0,1);
INSERT INTO crime_category VALUES('OTHER','Other offence (case by case)',0,0,0,1);
CREATE TABLE force (
	id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO force VALUES('avon-and-somerset','Avon and Somerset Constabulary',1);
INSERT INTO force VALUES('bedfordshire','Bedfordshire Police',1);
INSERT INTO force VALUES('cambridgeshire','Cambridgeshire Constabulary',1);
INSERT INTO force VALUES('cheshire','Cheshire Constabulary',1);
INSERT INTO force VALUES('city-of-london','City of London Police',1);
INSERT INTO force VALUES('cleveland','Cleveland Police',1);
INSERT INTO force VALUES('cumbria','Cumbria Constabulary',1);
INSERT INTO force VALUES('derbyshire','Derbyshire Constabulary',1);
INSERT INTO force VALUES('devon-and-cornwall','Devon & Cornwall Police',1);
INSERT INTO force VALUES('dorset','Dorset Police',1);
INSERT INTO force VALUES('durham','Durham Constabulary',1);
INSERT INTO force VALUES('dyfed-powys','Dyfed-Powys Police',1);
INSERT INTO force VALUES('essex','Essex Police',1);
INSERT INTO force VALUES('gloucestershire','Gloucestershire Constabulary',1);
INSERT INTO force VALUES('greater-manchester','Greater Manchester Police',1);
INSERT INTO force VALUES('gwent','Gwent Police',1);
INSERT INTO force VALUES('hampshire','Hampshire Constabulary',1);
INSERT INTO force VALUES('hertfordshire','Hertfordshire Constabulary',1);
INSERT INTO force VALUES('humberside','Humberside Police',1);
INSERT INTO force VALUES('kent','Kent Police',1);
INSERT INTO force VALUES('lancashire','Lancashire Constabulary',1);
INSERT INTO force VALUES('leicestershire','Leicestershire Police',1);
INSERT INTO force VALUES('lincolnshire','Lincolnshire Police',1);
INSERT INTO force VALUES('merseyside','Merseyside Police',1);
INSERT INTO force VALUES('metropolitan','Metropolitan Police Service',1);
INSERT INTO force VALUES('norfolk','Norfolk Constabulary',1);
INSERT INTO force VALUES('north-wales','North Wales Police',1);
INSERT INTO force VALUES('north-yorkshire','North Yorkshire Police',1);
INSERT INTO force VALUES('northamptonshire','Northamptonshire Police',1);
INSERT INTO force VALUES('northumbria','Northumbria Police',1);
INSERT INTO force VALUES('nottinghamshire','Nottinghamshire Police',1);
INSERT INTO force VALUES('south-wales','South Wales Police',1);
INSERT INTO force VALUES('south-yorkshire','South Yorkshire Police',1);
INSERT INTO force VALUES('staffordshire','Staffordshire Police',1);
INSERT INTO force VALUES('suffolk','Suffolk Constabulary',1);
INSERT INTO force VALUES('surrey','Surrey Police',1);
INSERT INTO force VALUES('sussex','Sussex Police',1);
INSERT INTO force VALUES('thames-valley','Thames Valley Police',1);
INSERT INTO force VALUES('warwickshire','Warwickshire Police',1);
INSERT INTO force VALUES('west-mercia','West Mercia Police',1);
INSERT INTO force VALUES('west-midlands','West Midlands Police',1);
INSERT INTO force VALUES('west-yorkshire','West Yorkshire Police',1);
INSERT INTO force VALUES('wiltshire','Wiltshire Police',1);
INSERT INTO force VALUES('btp','British Transport Police',1);
CREATE TABLE order_type (
	code VARCHAR NOT NULL, 
	label VARCHAR NOT NULL, 
	min_duration VARCHAR, 
	max_duration VARCHAR, 
	may_start_on_release BOOLEAN NOT NULL, 
	nomis_alert VARCHAR, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (code)
);
INSERT INTO order_type VALUES('SCPO','Serious Crime Prevention Order',NULL,'5y',0,'XSC',1);
INSERT INTO order_type VALUES('SHPO','Sexual Harm Prevention Order','5y','until further order',0,NULL,1);
INSERT INTO order_type VALUES('STPO','Slavery and Trafficking Prevention Order','5y','until further order',0,NULL,1);
INSERT INTO order_type VALUES('STRO','Slavery and Trafficking Risk Order','2y','until further order',0,NULL,1);
INSERT INTO order_type VALUES('CBO','Criminal Behaviour Order','2y','indefinite',0,NULL,1);
INSERT INTO order_type VALUES('KCPO','Knife Crime Prevention Order','6m','2y',1,NULL,1);
INSERT INTO order_type VALUES('TRO','Travel Restriction Order','2y',NULL,1,NULL,1);
INSERT INTO order_type VALUES('RESTRAINING','Restraining Order',NULL,'until further order',0,NULL,1);
INSERT INTO order_type VALUES('GANG_INJUNCTION','Gang injunction',NULL,NULL,0,'XGANG',1);
INSERT INTO order_type VALUES('FRO','Financial Reporting Order (legacy)',NULL,'20y',0,'XFO',1);
INSERT INTO order_type VALUES('SVRO','Serious Violence Reduction Order',NULL,NULL,0,NULL,1);
INSERT INTO order_type VALUES('SPO','Stalking Protection Order',NULL,NULL,0,NULL,1);
INSERT INTO order_type VALUES('OTHER','Other order',NULL,NULL,0,NULL,1);
CREATE TABLE prison (
	code VARCHAR(3) NOT NULL, 
	name VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (code)
);
INSERT INTO prison VALUES('ACI','Altcourse',1);
INSERT INTO prison VALUES('AGI','Askham Grange',1);
INSERT INTO prison VALUES('ALI','Albany',1);
INSERT INTO prison VALUES('ASI','Ashfield',1);
INSERT INTO prison VALUES('AYI','Aylesbury',1);
INSERT INTO prison VALUES('BAI','Belmarsh',1);
INSERT INTO prison VALUES('BCI','Buckley Hall',1);
INSERT INTO prison VALUES('BFI','Bedford',1);
INSERT INTO prison VALUES('BHI','Blantyre House',1);
INSERT INTO prison VALUES('BLI','Bristol',1);
INSERT INTO prison VALUES('BMI','Birmingham',1);
INSERT INTO prison VALUES('BNI','Bullingdon',1);
INSERT INTO prison VALUES('BRI','Bure',1);
INSERT INTO prison VALUES('BSI','Brinsford',1);
INSERT INTO prison VALUES('BWI','Berwyn',1);
INSERT INTO prison VALUES('BXI','Brixton',1);
INSERT INTO prison VALUES('BZI','Bronzefield',1);
INSERT INTO prison VALUES('CDI','Chelmsford',1);
INSERT INTO prison VALUES('CFI','Cardiff',1);
INSERT INTO prison VALUES('CKI','Cookham Wood',1);
INSERT INTO prison VALUES('CLI','Coldingley',1);
INSERT INTO prison VALUES('CWI','Channings Wood',1);
INSERT INTO prison VALUES('DAI','Dartmoor',1);
INSERT INTO prison VALUES('DGI','Dovegate',1);
INSERT INTO prison VALUES('DHI','Drake Hall',1);
INSERT INTO prison VALUES('DMI','Durham',1);
INSERT INTO prison VALUES('DNI','Doncaster',1);
INSERT INTO prison VALUES('DTI','Deerbolt',1);
INSERT INTO prison VALUES('DWI','Downview',1);
INSERT INTO prison VALUES('EEI','Erlestoke',1);
INSERT INTO prison VALUES('EHI','Standford Hill',1);
INSERT INTO prison VALUES('ESI','East Sutton Park',1);
INSERT INTO prison VALUES('EWI','Eastwood Park',1);
INSERT INTO prison VALUES('EXI','Exeter',1);
INSERT INTO prison VALUES('EYI','Elmley',1);
INSERT INTO prison VALUES('FBI','Forest Bank',1);
INSERT INTO prison VALUES('FDI','Ford',1);
INSERT INTO prison VALUES('FHI','Foston Hall',1);
INSERT INTO prison VALUES('FKI','Frankland',1);
INSERT INTO prison VALUES('FMI','Feltham',1);
INSERT INTO prison VALUES('FNI','Full Sutton',1);
INSERT INTO prison VALUES('FSI','Featherstone',1);
INSERT INTO prison VALUES('GHI','Garth',1);
INSERT INTO prison VALUES('GMI','Guys Marsh',1);
INSERT INTO prison VALUES('GNI','Grendon',1);
INSERT INTO prison VALUES('GPI','Glen Parva',1);
INSERT INTO prison VALUES('GTI','Gartree',1);
INSERT INTO prison VALUES('HBI','Hollesley Bay',1);
INSERT INTO prison VALUES('HCI','Huntercombe',1);
INSERT INTO prison VALUES('HDI','Hatfield',1);
INSERT INTO prison VALUES('HEI','Hewell',1);
INSERT INTO prison VALUES('HHI','Holme House',1);
INSERT INTO prison VALUES('HII','Hindley',1);
INSERT INTO prison VALUES('HLI','Hull',1);
INSERT INTO prison VALUES('HMI','Humber',1);
INSERT INTO prison VALUES('HOI','High Down',1);
INSERT INTO prison VALUES('HPI','Highpoint',1);
INSERT INTO prison VALUES('HVI','Haverigg',1);
INSERT INTO prison VALUES('ISI','Isis',1);
INSERT INTO prison VALUES('IWI','Isle of Wight',1);
INSERT INTO prison VALUES('KMI','Kirkham',1);
INSERT INTO prison VALUES('KTI','Kennet',1);
INSERT INTO prison VALUES('KVI','Kirklevington Grange',1);
INSERT INTO prison VALUES('LCI','Leicester',1);
INSERT INTO prison VALUES('LEI','Leeds',1);
INSERT INTO prison VALUES('LFI','Lancaster Farms',1);
INSERT INTO prison VALUES('LGI','Lowdham Grange',1);
INSERT INTO prison VALUES('LHI','Lindholme',1);
INSERT INTO prison VALUES('LII','Lincoln',1);
INSERT INTO prison VALUES('LLI','Long Lartin',1);
INSERT INTO prison VALUES('LNI','Low Newton',1);
INSERT INTO prison VALUES('LPI','Liverpool',1);
INSERT INTO prison VALUES('LTI','Littlehey',1);
INSERT INTO prison VALUES('LWI','Lewes',1);
INSERT INTO prison VALUES('LYI','Leyhill',1);
INSERT INTO prison VALUES('MDI','Moorland',1);
INSERT INTO prison VALUES('MRI','Manchester',1);
INSERT INTO prison VALUES('MSI','Maidstone',1);
INSERT INTO prison VALUES('MTI','The Mount',1);
INSERT INTO prison VALUES('MWI','Medway',1);
INSERT INTO prison VALUES('NHI','New Hall',1);
INSERT INTO prison VALUES('NLI','Northumberland',1);
INSERT INTO prison VALUES('NMI','Nottingham',1);
INSERT INTO prison VALUES('NSI','North Sea Camp',1);
INSERT INTO prison VALUES('NWI','Norwich',1);
INSERT INTO prison VALUES('ONI','Onley',1);
INSERT INTO prison VALUES('OWI','Oakwood',1);
INSERT INTO prison VALUES('PBI','Peterborough',1);
INSERT INTO prison VALUES('PFI','Peterborough (female)',1);
INSERT INTO prison VALUES('PDI','Portland',1);
INSERT INTO prison VALUES('PNI','Preston',1);
INSERT INTO prison VALUES('PRI','Parc',1);
INSERT INTO prison VALUES('PVI','Pentonville',1);
INSERT INTO prison VALUES('RCI','Rochester',1);
INSERT INTO prison VALUES('RHI','Rye Hill',1);
INSERT INTO prison VALUES('RNI','Ranby',1);
INSERT INTO prison VALUES('RSI','Risley',1);
INSERT INTO prison VALUES('SDI','Send',1);
INSERT INTO prison VALUES('SFI','Stafford',1);
INSERT INTO prison VALUES('SHI','Stoke Heath',1);
INSERT INTO prison VALUES('SKI','Stocken',1);
INSERT INTO prison VALUES('SLI','Swaleside',1);
INSERT INTO prison VALUES('SNI','Swinfen Hall',1);
INSERT INTO prison VALUES('SPI','Spring Hill',1);
INSERT INTO prison VALUES('STI','Styal',1);
INSERT INTO prison VALUES('SUI','Sudbury',1);
INSERT INTO prison VALUES('SWI','Swansea',1);
INSERT INTO prison VALUES('TCI','Thorn Cross',1);
INSERT INTO prison VALUES('TSI','Thameside',1);
INSERT INTO prison VALUES('UKI','Usk',1);
INSERT INTO prison VALUES('UPI','Prescoed',1);
INSERT INTO prison VALUES('VEI','The Verne',1);
INSERT INTO prison VALUES('WCI','Winchester',1);
INSERT INTO prison VALUES('WDI','Wakefield',1);
INSERT INTO prison VALUES('WEI','Wealstun',1);
INSERT INTO prison VALUES('WHI','Woodhill',1);
INSERT INTO prison VALUES('WII','Warren Hill',1);
INSERT INTO prison VALUES('WLI','Wayland',1);
INSERT INTO prison VALUES('WMI','Wymott',1);
INSERT INTO prison VALUES('WNI','Werrington',1);
INSERT INTO prison VALUES('WRI','Whitemoor',1);
INSERT INTO prison VALUES('WSI','Wormwood Scrubs',1);
INSERT INTO prison VALUES('WTI','Whatton',1);
INSERT INTO prison VALUES('WWI','Wandsworth',1);
INSERT INTO prison VALUES('WYI','Wetherby',1);
CREATE TABLE prisoner (
	id INTEGER NOT NULL, 
	nomis_number VARCHAR(7) NOT NULL, 
	name VARCHAR NOT NULL, 
	pnc VARCHAR, 
	date_of_birth DATE, 
	location VARCHAR, 
	created_at DATETIME NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO prisoner VALUES(1,'A1234BC','John SMITH',NULL,NULL,NULL,'2026-11-18 10:00:00.000000','LEI');
CREATE TABLE referral (
	id INTEGER NOT NULL, 
	reference VARCHAR NOT NULL, 
	prisoner_id INTEGER NOT NULL, 
	category_code VARCHAR NOT NULL, 
	incident_at DATETIME NOT NULL, 
	discovered_at DATETIME NOT NULL, 
	location VARCHAR NOT NULL, 
	description VARCHAR NOT NULL, 
	aggravating_factors JSON, 
	staff_victim BOOLEAN NOT NULL, 
	victim_wants_police BOOLEAN NOT NULL, 
	terrorism_conviction BOOLEAN NOT NULL, 
	summary_only BOOLEAN NOT NULL, 
	force_id VARCHAR, 
	crime_ref VARCHAR, 
	oic_name VARCHAR, 
	oic_collar VARCHAR, 
	oic_phone VARCHAR, 
	oic_email VARCHAR, 
	adjudication_charge VARCHAR, 
	adjudication_state VARCHAR, 
	footage_requested_on DATE, 
	evidence JSON, 
	notes VARCHAR NOT NULL, 
	next_step VARCHAR, 
	next_step_due DATE, 
	status VARCHAR NOT NULL, 
	outcome VARCHAR, 
	outcome_number INTEGER, 
	outcome_detail VARCHAR, 
	status_reason VARCHAR, 
	police_contacted_at DATETIME, 
	referred_at DATETIME, 
	acknowledged_at DATETIME, 
	police_decision_at DATETIME, 
	charged_at DATETIME, 
	closed_at DATETIME, 
	victim_updated_at DATETIME, 
	enhanced_victim BOOLEAN NOT NULL, 
	next_due_at DATETIME, 
	next_warn_at DATETIME, 
	next_due_label VARCHAR, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(category_code) REFERENCES crime_category (code), 
	FOREIGN KEY(force_id) REFERENCES force (id), 
	FOREIGN KEY(prisoner_id) REFERENCES prisoner (id)
);
INSERT INTO referral VALUES(1,'REF-2026-0001',1,'MOBILE_PHONE','2026-11-08 10:00:00.000000','2026-11-08 10:00:00.000000','','','[]',0,0,0,0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'{}','',NULL,NULL,'draft',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0,'2026-11-10 10:00:00.000000','2026-11-06 00:00:00.000000','Lay adjudication charge (48 h)','2026-11-18 10:00:00.000000','2026-11-18 10:00:00.000000',2,'LEI');
INSERT INTO referral VALUES(2,'REF-2026-0002',1,'MOBILE_PHONE','2026-11-08 10:00:00.000000','2026-11-08 10:00:00.000000','','','[]',0,0,0,0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'{}','',NULL,NULL,'draft',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0,'2026-11-10 10:00:00.000000','2026-11-06 00:00:00.000000','Lay adjudication charge (48 h)','2026-11-18 10:00:00.000000','2026-11-18 10:00:00.000000',2,'LEI');
CREATE TABLE follow_up (
	id INTEGER NOT NULL, 
	referral_id INTEGER NOT NULL, 
	happened_at DATETIME NOT NULL, 
	recorded_at DATETIME NOT NULL, 
	actor VARCHAR NOT NULL, 
	method VARCHAR NOT NULL, 
	note VARCHAR NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(referral_id) REFERENCES referral (id) ON DELETE CASCADE
);
CREATE TABLE referral_party (
	id INTEGER NOT NULL, 
	referral_id INTEGER NOT NULL, 
	role VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	nomis_number VARCHAR, 
	statement_taken BOOLEAN NOT NULL, 
	enhanced_rights BOOLEAN NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(referral_id) REFERENCES referral (id) ON DELETE CASCADE
);
CREATE TABLE status_change (
	id INTEGER NOT NULL, 
	referral_id INTEGER NOT NULL, 
	from_status VARCHAR, 
	to_status VARCHAR NOT NULL, 
	happened_at DATETIME NOT NULL, 
	recorded_at DATETIME NOT NULL, 
	actor VARCHAR NOT NULL, 
	reason VARCHAR, 
	outcome VARCHAR, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(referral_id) REFERENCES referral (id) ON DELETE CASCADE
);
INSERT INTO status_change VALUES(1,1,NULL,'draft','2026-11-08 10:00:00.000000','2026-11-18 10:00:00.000000','old coordinator','created',NULL,'LEI');
INSERT INTO status_change VALUES(2,2,NULL,'draft','2026-11-08 10:00:00.000000','2026-11-18 10:00:00.000000','old coordinator','created',NULL,'LEI');
CREATE TABLE clinic (
	id INTEGER NOT NULL, 
	held_on DATE NOT NULL, 
	title VARCHAR NOT NULL, 
	location VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	notes VARCHAR NOT NULL, 
	agenda_at DATETIME, 
	started_at DATETIME, 
	closed_at DATETIME, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE attendance (
	id INTEGER NOT NULL, 
	clinic_id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	role VARCHAR NOT NULL, 
	organisation VARCHAR NOT NULL, 
	presence VARCHAR NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(clinic_id) REFERENCES clinic (id) ON DELETE CASCADE
);
CREATE TABLE clinic_action (
	id INTEGER NOT NULL, 
	clinic_id INTEGER NOT NULL, 
	referral_id INTEGER, 
	text VARCHAR NOT NULL, 
	owner_name VARCHAR NOT NULL, 
	owner_org VARCHAR NOT NULL, 
	due_on DATE, 
	status VARCHAR NOT NULL, 
	status_reason VARCHAR, 
	done_at DATETIME, 
	dropped_at DATETIME, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(clinic_id) REFERENCES clinic (id), 
	FOREIGN KEY(referral_id) REFERENCES referral (id)
);
CREATE TABLE agenda_item (
	id INTEGER NOT NULL, 
	clinic_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	section VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	detail VARCHAR NOT NULL, 
	referral_id INTEGER, 
	action_id INTEGER, 
	source_id INTEGER, 
	note VARCHAR NOT NULL, 
	dropped BOOLEAN NOT NULL, 
	drop_reason VARCHAR, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(action_id) REFERENCES clinic_action (id), 
	FOREIGN KEY(clinic_id) REFERENCES clinic (id) ON DELETE CASCADE, 
	FOREIGN KEY(referral_id) REFERENCES referral (id)
);
CREATE TABLE exhibit (
	id INTEGER NOT NULL, 
	reference VARCHAR NOT NULL, 
	parent_id INTEGER, 
	exhibit_type VARCHAR NOT NULL, 
	description VARCHAR NOT NULL, 
	system VARCHAR, 
	camera_id VARCHAR, 
	officer VARCHAR, 
	clip_start DATETIME, 
	clip_end DATETIME, 
	export_medium VARCHAR, 
	file_sha256 VARCHAR, 
	quantity VARCHAR, 
	weight VARCHAR, 
	where_found VARCHAR, 
	found_on_prisoner_id INTEGER, 
	list_class VARCHAR, 
	seized_by VARCHAR NOT NULL, 
	seized_at DATETIME NOT NULL, 
	hold BOOLEAN NOT NULL, 
	hold_reason VARCHAR, 
	collection_requested_on DATE, 
	seal_number VARCHAR, 
	storage_location VARCHAR, 
	holder VARCHAR NOT NULL, 
	holder_kind VARCHAR NOT NULL, 
	state VARCHAR NOT NULL, 
	last_movement_at DATETIME NOT NULL, 
	review_due_on DATE, 
	discrepancy_count INTEGER NOT NULL, 
	event_count INTEGER NOT NULL, 
	head_hash VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(found_on_prisoner_id) REFERENCES prisoner (id), 
	FOREIGN KEY(parent_id) REFERENCES exhibit (id)
);
INSERT INTO exhibit VALUES(1,'JS/1',NULL,'mobile_phone','Black Samsung phone',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'C wing cell 3-14',1,'A','Officer J. Smith','2026-11-13 10:00:00.000000',0,NULL,NULL,'S100','Security evidence safe','CiPCo A. Whitfield','staff','held','2026-11-15 10:00:00.000000','2027-02-13',0,4,'9bbbab74df52ee793ab3af17a9c93b25821af1dede9ae815c55b1f4642365f8e','2026-11-18 10:00:00.000000','2026-11-18 10:00:00.000000',8,'LEI');
INSERT INTO exhibit VALUES(2,'JS/2',NULL,'cctv','CCTV export, C wing landing','Milestone XProtect','CAM-7',NULL,'2026-11-13 10:00:00.000000','2026-11-13 10:09:00.000000','DVD','abababababababababababababababababababababababababababababababab',NULL,NULL,'C wing cell 3-14',NULL,NULL,'Officer J. Smith','2026-11-13 10:00:00.000000',1,'Appeal pending',NULL,'S100','Security evidence safe','Officer J. Smith','staff','held','2026-11-13 10:00:00.000000','2027-02-11',0,1,'bb98fdfa5109c1a25f53a7afbc788333c40afa4a4ec8dd70e24af67406e62162','2026-11-18 10:00:00.000000','2026-11-18 10:00:00.000000',4,'LEI');
INSERT INTO exhibit VALUES(3,'JS/1/1',1,'sim_storage','SIM card from JS/1',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'C wing cell 3-14',1,'A','Officer J. Smith','2026-11-13 10:00:00.000000',0,NULL,NULL,'S100','Security evidence safe','Officer J. Smith','staff','held','2026-11-13 10:00:00.000000','2027-02-11',0,1,'004d5bd7d673d7bd476ca9c01f86af3e2f1b62102801a3d329a1c10cc767afa0','2026-11-18 10:00:00.000000','2026-11-18 10:00:00.000000',3,'LEI');
CREATE TABLE exhibit_event (
	id INTEGER NOT NULL, 
	exhibit_id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	from_name VARCHAR, 
	from_kind VARCHAR, 
	to_name VARCHAR, 
	to_kind VARCHAR, 
	to_collar VARCHAR, 
	to_force VARCHAR, 
	to_org VARCHAR, 
	happened_at DATETIME NOT NULL, 
	recorded_at DATETIME NOT NULL, 
	recorded_by VARCHAR NOT NULL, 
	reason VARCHAR, 
	location VARCHAR, 
	seal_number VARCHAR, 
	seal_intact BOOLEAN, 
	new_seal_number VARCHAR, 
	discrepancy VARCHAR, 
	corrected_happened_at DATETIME, 
	corrects_event_id INTEGER, 
	authority VARCHAR, 
	witness VARCHAR, 
	note VARCHAR, 
	details VARCHAR, 
	prev_hash VARCHAR NOT NULL, 
	hash VARCHAR NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(corrects_event_id) REFERENCES exhibit_event (id), 
	FOREIGN KEY(exhibit_id) REFERENCES exhibit (id)
);
INSERT INTO exhibit_event VALUES(1,1,1,'seizure','C wing cell 3-14',NULL,'Officer J. Smith','staff',NULL,NULL,NULL,'2026-11-13 10:00:00.000000','2026-11-18 10:00:00.000000','old coordinator','storage','Security evidence safe','S100',1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'{"camera_id":null,"clip_end":null,"clip_start":null,"description":"Black Samsung phone","export_medium":null,"file_sha256":null,"found_on":"A1234BC","list_class":"A","officer":null,"quantity":null,"reference":"JS/1","referrals":["REF-2026-0001"],"system":null,"type":"mobile_phone","weight":null,"where_found":"C wing cell 3-14"}','0000000000000000000000000000000000000000000000000000000000000000','df26a5b26ec8d88dd8e2f8f65886eb5687721f12021d1fafb5bba8f98f39ab9a','LEI');
INSERT INTO exhibit_event VALUES(2,1,2,'movement','Officer J. Smith','staff','SO P. Carr','staff',NULL,NULL,NULL,'2026-11-14 10:00:00.000000','2026-11-18 10:00:00.000000','old coordinator',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'df26a5b26ec8d88dd8e2f8f65886eb5687721f12021d1fafb5bba8f98f39ab9a','db78a2811d8bfd094e4ab4dafb751f80331b10292c21e80f31afebaba7f250ee','LEI');
INSERT INTO exhibit_event VALUES(3,1,3,'movement','SO P. Carr','staff','CiPCo A. Whitfeld','staff',NULL,NULL,NULL,'2026-11-15 10:00:00.000000','2026-11-18 10:00:00.000000','old coordinator',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'db78a2811d8bfd094e4ab4dafb751f80331b10292c21e80f31afebaba7f250ee','30e0ec2648ee2b8bd304157ae36dcced9e038ff25fbd5f7e5bc78a8fb92d065b','LEI');
INSERT INTO exhibit_event VALUES(4,1,4,'correction',NULL,NULL,'CiPCo A. Whitfield',NULL,NULL,NULL,NULL,'2026-11-18 10:00:00.000000','2026-11-18 10:00:00.000000','old coordinator',NULL,NULL,NULL,NULL,NULL,NULL,NULL,3,NULL,NULL,'Name typed wrongly',NULL,'30e0ec2648ee2b8bd304157ae36dcced9e038ff25fbd5f7e5bc78a8fb92d065b','9bbbab74df52ee793ab3af17a9c93b25821af1dede9ae815c55b1f4642365f8e','LEI');
INSERT INTO exhibit_event VALUES(5,2,1,'seizure','C wing cell 3-14',NULL,'Officer J. Smith','staff',NULL,NULL,NULL,'2026-11-13 10:00:00.000000','2026-11-18 10:00:00.000000','old coordinator','storage','Security evidence safe','S100',1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'{"camera_id":"CAM-7","clip_end":"2026-11-13T10:09:00+00:00","clip_start":"2026-11-13T10:00:00+00:00","description":"CCTV export, C wing landing","export_medium":"DVD","file_sha256":"abababababababababababababababababababababababababababababababab","found_on":null,"list_class":null,"officer":null,"quantity":null,"reference":"JS/2","referrals":[],"system":"Milestone XProtect","type":"cctv","weight":null,"where_found":"C wing cell 3-14"}','0000000000000000000000000000000000000000000000000000000000000000','bb98fdfa5109c1a25f53a7afbc788333c40afa4a4ec8dd70e24af67406e62162','LEI');
INSERT INTO exhibit_event VALUES(6,3,1,'seizure','from JS/1',NULL,'Officer J. Smith','staff',NULL,NULL,NULL,'2026-11-13 10:00:00.000000','2026-11-18 10:00:00.000000','old coordinator','storage','Security evidence safe','S100',1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'{"camera_id":null,"clip_end":null,"clip_start":null,"description":"SIM card from JS/1","export_medium":null,"file_sha256":null,"found_on":"A1234BC","list_class":"A","officer":null,"quantity":null,"reference":"JS/1/1","referrals":[],"system":null,"type":"sim_storage","weight":null,"where_found":"C wing cell 3-14"}','0000000000000000000000000000000000000000000000000000000000000000','004d5bd7d673d7bd476ca9c01f86af3e2f1b62102801a3d329a1c10cc767afa0','LEI');
CREATE TABLE exhibit_referral (
	exhibit_id INTEGER NOT NULL, 
	referral_id INTEGER NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (exhibit_id, referral_id), 
	FOREIGN KEY(exhibit_id) REFERENCES exhibit (id) ON DELETE CASCADE, 
	FOREIGN KEY(referral_id) REFERENCES referral (id) ON DELETE CASCADE
);
INSERT INTO exhibit_referral VALUES(1,1,'LEI');
INSERT INTO exhibit_referral VALUES(2,2,'LEI');
CREATE TABLE association (
	id INTEGER NOT NULL, 
	prisoner_id INTEGER NOT NULL, 
	other_prisoner_id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	note VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(other_prisoner_id) REFERENCES prisoner (id), 
	FOREIGN KEY(prisoner_id) REFERENCES prisoner (id)
);
CREATE TABLE person_of_interest (
	id INTEGER NOT NULL, 
	prisoner_id INTEGER NOT NULL, 
	alert_codes JSON, 
	soc_band INTEGER, 
	last_review_on DATE, 
	next_review_on DATE, 
	ocg_name VARCHAR, 
	release_date DATE, 
	do_not_share BOOLEAN NOT NULL, 
	reason VARCHAR NOT NULL, 
	notes VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(prisoner_id) REFERENCES prisoner (id)
);
CREATE TABLE ancillary_order (
	id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	order_type_code VARCHAR NOT NULL, 
	court VARCHAR NOT NULL, 
	made_on DATE NOT NULL, 
	start_rule VARCHAR NOT NULL, 
	start_on DATE, 
	end_on DATE, 
	until_further_order BOOLEAN NOT NULL, 
	conditions VARCHAR NOT NULL, 
	review_on DATE, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(order_type_code) REFERENCES order_type (code), 
	FOREIGN KEY(person_id) REFERENCES person_of_interest (id) ON DELETE CASCADE
);
CREATE TABLE charge_papers (
	id INTEGER NOT NULL, 
	prisoner_id INTEGER NOT NULL, 
	referral_id INTEGER, 
	crime_ref VARCHAR, 
	urn VARCHAR, 
	form_label VARCHAR NOT NULL, 
	charges VARCHAR NOT NULL, 
	court VARCHAR NOT NULL, 
	first_hearing_on DATE, 
	received_at DATETIME NOT NULL, 
	received_from VARCHAR NOT NULL, 
	notes VARCHAR NOT NULL, 
	state VARCHAR NOT NULL, 
	served_at DATETIME, 
	response VARCHAR, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(prisoner_id) REFERENCES prisoner (id), 
	FOREIGN KEY(referral_id) REFERENCES referral (id)
);
CREATE TABLE custody_event (
	id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	happened_at DATETIME NOT NULL, 
	recorded_at DATETIME NOT NULL, 
	actor VARCHAR NOT NULL, 
	detail VARCHAR NOT NULL, 
	notify_due_on DATE, 
	notified_at DATETIME, 
	notified_how VARCHAR, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(person_id) REFERENCES person_of_interest (id) ON DELETE CASCADE
);
CREATE TABLE service_event (
	id INTEGER NOT NULL, 
	papers_id INTEGER NOT NULL, 
	served_at DATETIME NOT NULL, 
	served_by VARCHAR NOT NULL, 
	witnessed_by VARCHAR NOT NULL, 
	response VARCHAR NOT NULL, 
	note VARCHAR NOT NULL, 
	copy_returned_at DATETIME, 
	copy_returned_how VARCHAR, 
	corrects_event_id INTEGER, 
	recorded_at DATETIME NOT NULL, 
	actor VARCHAR NOT NULL, site VARCHAR(8) DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(corrects_event_id) REFERENCES service_event (id), 
	FOREIGN KEY(papers_id) REFERENCES charge_papers (id) ON DELETE CASCADE
);
CREATE TABLE site (
	code VARCHAR(8) NOT NULL, 
	name VARCHAR NOT NULL, 
	assigned_at DATETIME NOT NULL, 
	PRIMARY KEY (code)
);
INSERT INTO site VALUES('LEI','Leeds','2026-11-18 10:00:00.000000');
CREATE TABLE IF NOT EXISTS "setting" (
	site VARCHAR(8) DEFAULT '' NOT NULL, 
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY (site, "key")
);
CREATE INDEX ix_audit_event_record_id ON audit_event (record_id);
CREATE INDEX ix_audit_event_table_name ON audit_event (table_name);
CREATE INDEX ix_referral_category_code ON referral (category_code);
CREATE INDEX ix_referral_crime_ref ON referral (crime_ref);
CREATE INDEX ix_referral_force_id ON referral (force_id);
CREATE INDEX ix_referral_incident_at ON referral (incident_at);
CREATE INDEX ix_referral_next_due_at ON referral (next_due_at);
CREATE INDEX ix_referral_oic_name ON referral (oic_name);
CREATE INDEX ix_referral_prisoner_id ON referral (prisoner_id);
CREATE INDEX ix_referral_status ON referral (status);
CREATE INDEX ix_follow_up_referral_id ON follow_up (referral_id);
CREATE INDEX ix_referral_party_nomis_number ON referral_party (nomis_number);
CREATE INDEX ix_referral_party_referral_id ON referral_party (referral_id);
CREATE INDEX ix_status_change_referral_id ON status_change (referral_id);
CREATE INDEX ix_clinic_status ON clinic (status);
CREATE INDEX ix_attendance_clinic_id ON attendance (clinic_id);
CREATE INDEX ix_clinic_action_clinic_id ON clinic_action (clinic_id);
CREATE INDEX ix_clinic_action_due_on ON clinic_action (due_on);
CREATE INDEX ix_clinic_action_owner_name ON clinic_action (owner_name);
CREATE INDEX ix_clinic_action_referral_id ON clinic_action (referral_id);
CREATE INDEX ix_clinic_action_status ON clinic_action (status);
CREATE INDEX ix_agenda_item_action_id ON agenda_item (action_id);
CREATE INDEX ix_agenda_item_clinic_id ON agenda_item (clinic_id);
CREATE INDEX ix_agenda_item_referral_id ON agenda_item (referral_id);
CREATE INDEX ix_exhibit_exhibit_type ON exhibit (exhibit_type);
CREATE INDEX ix_exhibit_found_on_prisoner_id ON exhibit (found_on_prisoner_id);
CREATE INDEX ix_exhibit_last_movement_at ON exhibit (last_movement_at);
CREATE INDEX ix_exhibit_parent_id ON exhibit (parent_id);
CREATE INDEX ix_exhibit_review_due_on ON exhibit (review_due_on);
CREATE INDEX ix_exhibit_state ON exhibit (state);
CREATE UNIQUE INDEX ix_exhibit_event_exhibit_seq ON exhibit_event (exhibit_id, seq);
CREATE INDEX ix_exhibit_referral_referral_id ON exhibit_referral (referral_id);
CREATE TRIGGER exhibit_event_no_delete BEFORE DELETE ON exhibit_event
    BEGIN
        SELECT RAISE(ABORT, 'exhibit movements are append-only: record a correction instead');
    END;
CREATE INDEX ix_association_other_prisoner_id ON association (other_prisoner_id);
CREATE INDEX ix_association_prisoner_id ON association (prisoner_id);
CREATE INDEX ix_person_of_interest_next_review_on ON person_of_interest (next_review_on);
CREATE INDEX ix_person_of_interest_ocg_name ON person_of_interest (ocg_name);
CREATE UNIQUE INDEX ix_person_of_interest_prisoner_id ON person_of_interest (prisoner_id);
CREATE INDEX ix_person_of_interest_release_date ON person_of_interest (release_date);
CREATE INDEX ix_person_of_interest_soc_band ON person_of_interest (soc_band);
CREATE INDEX ix_ancillary_order_end_on ON ancillary_order (end_on);
CREATE INDEX ix_ancillary_order_person_id ON ancillary_order (person_id);
CREATE INDEX ix_charge_papers_crime_ref ON charge_papers (crime_ref);
CREATE INDEX ix_charge_papers_first_hearing_on ON charge_papers (first_hearing_on);
CREATE INDEX ix_charge_papers_prisoner_id ON charge_papers (prisoner_id);
CREATE INDEX ix_charge_papers_received_at ON charge_papers (received_at);
CREATE INDEX ix_charge_papers_referral_id ON charge_papers (referral_id);
CREATE INDEX ix_charge_papers_served_at ON charge_papers (served_at);
CREATE INDEX ix_charge_papers_state ON charge_papers (state);
CREATE INDEX ix_charge_papers_urn ON charge_papers (urn);
CREATE INDEX ix_custody_event_notify_due_on ON custody_event (notify_due_on);
CREATE INDEX ix_custody_event_person_id ON custody_event (person_id);
CREATE INDEX ix_service_event_papers_id ON service_event (papers_id);
CREATE INDEX ix_audit_event_site ON audit_event (site);
CREATE INDEX ix_prisoner_site ON prisoner (site);
CREATE INDEX ix_referral_site ON referral (site);
CREATE INDEX ix_referral_party_site ON referral_party (site);
CREATE INDEX ix_status_change_site ON status_change (site);
CREATE INDEX ix_follow_up_site ON follow_up (site);
CREATE INDEX ix_clinic_site ON clinic (site);
CREATE INDEX ix_clinic_action_site ON clinic_action (site);
CREATE INDEX ix_agenda_item_site ON agenda_item (site);
CREATE INDEX ix_attendance_site ON attendance (site);
CREATE INDEX ix_exhibit_site ON exhibit (site);
CREATE INDEX ix_exhibit_referral_site ON exhibit_referral (site);
CREATE INDEX ix_exhibit_event_site ON exhibit_event (site);
CREATE INDEX ix_charge_papers_site ON charge_papers (site);
CREATE INDEX ix_service_event_site ON service_event (site);
CREATE INDEX ix_person_of_interest_site ON person_of_interest (site);
CREATE INDEX ix_ancillary_order_site ON ancillary_order (site);
CREATE INDEX ix_association_site ON association (site);
CREATE INDEX ix_custody_event_site ON custody_event (site);
CREATE INDEX ix_referral_reference ON referral (reference);
CREATE UNIQUE INDEX uq_referral_site_reference ON referral (site, reference);
CREATE INDEX ix_exhibit_reference ON exhibit (reference);
CREATE UNIQUE INDEX uq_exhibit_site_reference ON exhibit (site, reference);
CREATE INDEX ix_prisoner_nomis_number ON prisoner (nomis_number);
CREATE UNIQUE INDEX uq_prisoner_site_nomis ON prisoner (site, nomis_number);
CREATE INDEX ix_clinic_held_on ON clinic (held_on);
CREATE UNIQUE INDEX uq_clinic_site_held_on ON clinic (site, held_on);
CREATE TRIGGER exhibit_event_no_update BEFORE UPDATE ON exhibit_event
    WHEN NOT (OLD.site = '' AND NEW.site <> '' AND NEW.id IS OLD.id AND NEW.exhibit_id IS OLD.exhibit_id AND NEW.seq IS OLD.seq AND NEW.kind IS OLD.kind AND NEW.from_name IS OLD.from_name AND NEW.from_kind IS OLD.from_kind AND NEW.to_name IS OLD.to_name AND NEW.to_kind IS OLD.to_kind AND NEW.to_collar IS OLD.to_collar AND NEW.to_force IS OLD.to_force AND NEW.to_org IS OLD.to_org AND NEW.happened_at IS OLD.happened_at AND NEW.recorded_at IS OLD.recorded_at AND NEW.recorded_by IS OLD.recorded_by AND NEW.reason IS OLD.reason AND NEW.location IS OLD.location AND NEW.seal_number IS OLD.seal_number AND NEW.seal_intact IS OLD.seal_intact AND NEW.new_seal_number IS OLD.new_seal_number AND NEW.discrepancy IS OLD.discrepancy AND NEW.corrected_happened_at IS OLD.corrected_happened_at AND NEW.corrects_event_id IS OLD.corrects_event_id AND NEW.authority IS OLD.authority AND NEW.witness IS OLD.witness AND NEW.note IS OLD.note AND NEW.details IS OLD.details AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash)
    BEGIN
        SELECT RAISE(ABORT, 'exhibit movements are append-only: record a correction instead');
    END;
COMMIT;
