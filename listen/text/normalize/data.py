"""Rule data for the normalizer: how English and Spanish say numbers, money, units and symbols.

Tables only, keyed by language ("en", "es"); :mod:`listen.text.normalize` holds the code that
uses them. English follows US usage (the bundled English voice is American): "kilometers",
"one hundred five", no "and" inside numbers. Spanish follows the RAE's recommendations where
Spain and Latin America differ ("veintiún kilómetros", "primero de mayo").
"""

from __future__ import annotations

from typing import NamedTuple


class Noun(NamedTuple):
    """A counted noun: "kilometer" / "kilometers"; Spanish numbers agree with ``feminine``."""

    singular: str
    plural: str
    feminine: bool = False


class Currency(NamedTuple):
    major: Noun
    minor: Noun


# ---------------------------------------------------------------- number words

DECIMAL_WORD = {
    "en": {".": "point", ",": "point"},
    "es": {".": "punto", ",": "coma"},
}
# How the digit groups of a string that is no valid number ("3.11.7", "1,2,3") are joined.
GROUP_JOINER = {
    "en": {".": " dot ", ",": ", "},
    "es": {".": " punto ", ",": ", "},
}
# A run of digits too long to read one by one (a hash, a pasted ID): said by its length.
LONG_NUMBER = {"en": "a number of {} digits", "es": "un número de {} cifras"}
MINUS = {"en": "minus", "es": "menos"}
PLUS = {"en": "plus", "es": "más"}
# English number words, for rules that look at an amount already said in words.
NUMBER_WORDS_EN = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand million billion trillion point"
).split()
# What may follow "a $3 million" without it being an adjective before a noun
# ("a million dollars in cash", "a hundred dollars more"): the plural stays.
NOT_NOUNS_EN = frozenset(
    "of in on for to from and or a an the that this was were is are be been more less each "
    "per worth over under at by with as but if than so a year a month apiece later ago "
    "total overall".split()
)
RANGE_WORD = {"en": "to", "es": "a"}  # "2019-2023", "10–12", a 7-4 vote or a 3-1 score
CENTS_JOINER = {"en": "and", "es": "con"}  # "three dollars and fifty cents"

# Spanish: "de" joins these to a following noun ("dos millones de euros", "mil millones de
# dólares") and "uno" shortens before them ("un millón", "veintiún mil").
DE_BEFORE_NOUN = ("millón", "millones", "billón", "billones", "trillón", "trillones")
APOCOPE_BEFORE = ("mil", *DE_BEFORE_NOUN)
# Spanish number words before a masculine noun ("un kilómetro") and a feminine one ("una
# hectárea", "doscientas casas"); the ending "ientos" is the hundreds.
MASCULINE_ES = {"uno": "un", "veintiuno": "veintiún"}
FEMININE_ES = {"uno": "una", "un": "una", "veintiuno": "veintiuna", "veintiún": "veintiuna"}
FEMININE_ENDINGS_ES = {"ientos": "ientas"}
# Spanish nouns often counted in the news, by gender: "21 años" -> "veintiún años",
# "21 personas" -> "veintiuna personas". Before any other word a number keeps "uno"
# ("ganó 21 a 0", "el 21 fue"); extend these as needed.
MASCULINE_NOUNS_ES = frozenset(
    "año años día días mes meses minuto minutos segundo segundos punto puntos gol goles "
    "partido partidos muerto muertos herido heridos voto votos habitante habitantes "
    "estudiante estudiantes niño niños hombre hombres caso casos país países kilo kilos "
    "millar millares centenar centenares diputado diputados senador senadores".split()
)
FEMININE_NOUNS_ES = frozenset(
    "persona personas vez veces hora horas semana semanas mujer mujeres víctima víctimas "
    "vivienda viviendas casa casas empresa empresas tonelada toneladas hectárea hectáreas "
    "familia familias escuela escuelas niña niñas muerte muertes especie especies "
    "entrada entradas plaza plazas denuncia denuncias plantilla plantillas cama camas "
    "vacuna vacunas dosis unidad unidades ciudad ciudades calle calles "
    "taza tazas cucharada cucharadas cucharadita cucharaditas libra libras milla millas".split()
)

# Spanish ordinals 1-999, built from parts ("vigésimo primero"); num2words has "décimoprimero".
ORDINAL_UNITS_ES = (
    "",
    "primero",
    "segundo",
    "tercero",
    "cuarto",
    "quinto",
    "sexto",
    "séptimo",
    "octavo",
    "noveno",
)
ORDINAL_TEENS_ES = (
    "décimo",
    "undécimo",
    "duodécimo",
    "decimotercero",
    "decimocuarto",
    "decimoquinto",
    "decimosexto",
    "decimoséptimo",
    "decimoctavo",
    "decimonoveno",
)
ORDINAL_TENS_ES = (
    "",
    "décimo",
    "vigésimo",
    "trigésimo",
    "cuadragésimo",
    "quincuagésimo",
    "sexagésimo",
    "septuagésimo",
    "octogésimo",
    "nonagésimo",
)
ORDINAL_HUNDREDS_ES = (
    "",
    "centésimo",
    "ducentésimo",
    "tricentésimo",
    "cuadringentésimo",
    "quingentésimo",
    "sexcentésimo",
    "septingentésimo",
    "octingentésimo",
    "noningentésimo",
)
# Spanish ordinal indicators after a number: "1.º", "2.ª", "3er", "1ro", "2da", "3.os".
ORDINAL_INDICATORS_ES = {
    "º": "m",
    ".º": "m",
    "ª": "f",
    ".ª": "f",
    ".os": "mp",
    ".as": "fp",
    "er": "apocope",
    ".er": "apocope",
    "ro": "m",
    "do": "m",
    "to": "m",
    "mo": "m",
    "vo": "m",
    "no": "m",
    "ra": "f",
    "da": "f",
    "ta": "f",
    "ma": "f",
    "va": "f",
    "na": "f",
}
ORDINAL_SUFFIXES_EN = ("st", "nd", "rd", "th", "ST", "ND", "RD", "TH")

# ---------------------------------------------------------------- money

CURRENCIES = {
    "en": {
        "US$": Currency(Noun("US dollar", "US dollars"), Noun("cent", "cents")),
        "U$S": Currency(Noun("US dollar", "US dollars"), Noun("cent", "cents")),
        "USD": Currency(Noun("US dollar", "US dollars"), Noun("cent", "cents")),
        "$": Currency(Noun("dollar", "dollars"), Noun("cent", "cents")),
        "€": Currency(Noun("euro", "euros"), Noun("cent", "cents")),
        "EUR": Currency(Noun("euro", "euros"), Noun("cent", "cents")),
        "£": Currency(Noun("pound", "pounds"), Noun("penny", "pence")),
        "GBP": Currency(Noun("pound", "pounds"), Noun("penny", "pence")),
        "¥": Currency(Noun("yen", "yen"), Noun("sen", "sen")),
        "MX$": Currency(Noun("Mexican peso", "Mexican pesos"), Noun("centavo", "centavos")),
        "MXN": Currency(Noun("Mexican peso", "Mexican pesos"), Noun("centavo", "centavos")),
        "COP": Currency(Noun("Colombian peso", "Colombian pesos"), Noun("centavo", "centavos")),
        "ARS": Currency(Noun("Argentine peso", "Argentine pesos"), Noun("centavo", "centavos")),
        "CLP": Currency(Noun("Chilean peso", "Chilean pesos"), Noun("centavo", "centavos")),
        "PEN": Currency(Noun("Peruvian sol", "Peruvian soles"), Noun("céntimo", "céntimos")),
        "R$": Currency(Noun("Brazilian real", "Brazilian reais"), Noun("centavo", "centavos")),
        "BRL": Currency(Noun("Brazilian real", "Brazilian reais"), Noun("centavo", "centavos")),
    },
    "es": {
        "US$": Currency(
            Noun("dólar estadounidense", "dólares estadounidenses"), Noun("centavo", "centavos")
        ),
        "U$S": Currency(
            Noun("dólar estadounidense", "dólares estadounidenses"), Noun("centavo", "centavos")
        ),
        "USD": Currency(
            Noun("dólar estadounidense", "dólares estadounidenses"), Noun("centavo", "centavos")
        ),
        # A bare "$" in Spanish may be pesos; dollars is the reading publishers asked for.
        "$": Currency(Noun("dólar", "dólares"), Noun("centavo", "centavos")),
        "€": Currency(Noun("euro", "euros"), Noun("céntimo", "céntimos")),
        "EUR": Currency(Noun("euro", "euros"), Noun("céntimo", "céntimos")),
        "£": Currency(Noun("libra", "libras", True), Noun("penique", "peniques")),
        "GBP": Currency(Noun("libra", "libras", True), Noun("penique", "peniques")),
        "¥": Currency(Noun("yen", "yenes"), Noun("sen", "sen")),
        "MX$": Currency(Noun("peso mexicano", "pesos mexicanos"), Noun("centavo", "centavos")),
        "MXN": Currency(Noun("peso mexicano", "pesos mexicanos"), Noun("centavo", "centavos")),
        "COP": Currency(Noun("peso colombiano", "pesos colombianos"), Noun("centavo", "centavos")),
        "ARS": Currency(Noun("peso argentino", "pesos argentinos"), Noun("centavo", "centavos")),
        "CLP": Currency(Noun("peso chileno", "pesos chilenos"), Noun("centavo", "centavos")),
        "PEN": Currency(Noun("sol", "soles"), Noun("céntimo", "céntimos")),
        "R$": Currency(Noun("real", "reales"), Noun("centavo", "centavos")),
        "BRL": Currency(Noun("real", "reales"), Noun("centavo", "centavos")),
    },
}
# Currencies written after the amount ("12 €", "2.000 COP"): the symbols and codes above,
# except "$" forms that only ever lead.
TRAILING_CURRENCIES = ("€", "£", "$", "EUR", "USD", "GBP", "MXN", "COP", "ARS", "CLP", "BRL")

# Magnitudes after an amount: (word after one, word after any other amount).
MAGNITUDES = {
    "en": {
        "thousand": ("thousand", "thousand"),
        "million": ("million", "million"),
        "billion": ("billion", "billion"),
        "trillion": ("trillion", "trillion"),
        "k": ("thousand", "thousand"),
        "K": ("thousand", "thousand"),
        "m": ("million", "million"),
        "M": ("million", "million"),
        "mn": ("million", "million"),
        "bn": ("billion", "billion"),
        "b": ("billion", "billion"),
        "B": ("billion", "billion"),
        "tn": ("trillion", "trillion"),
        "trn": ("trillion", "trillion"),
    },
    "es": {
        "mil millones": ("mil millones", "mil millones"),
        "mil": ("mil", "mil"),
        "millón": ("millón", "millones"),
        "millones": ("millón", "millones"),
        "billón": ("billón", "billones"),
        "billones": ("billón", "billones"),
        "k": ("mil", "mil"),
        "M": ("millón", "millones"),
        "MM": ("millón", "millones"),  # Latin American financial shorthand for millions
        "mn": ("millón", "millones"),
        "bn": ("mil millones", "mil millones"),  # an English billion is "mil millones"
    },
}

# Scale words between a number and a unit: "1 million km", "5 millones de km".
SCALE_WORDS = {
    "en": ("thousand", "million", "billion"),
    "es": ("mil millones", "millones", "millón", "mil"),
}

PERCENT = {
    "en": {"%": "percent", "‰": "per mille"},
    "es": {"%": "por ciento", "‰": "por mil"},
}

# ---------------------------------------------------------------- units (only after a number)

UNITS = {
    "en": {
        "km/h": Noun("kilometer per hour", "kilometers per hour"),
        "km²": Noun("square kilometer", "square kilometers"),
        "km2": Noun("square kilometer", "square kilometers"),
        "m²": Noun("square meter", "square meters"),
        "m2": Noun("square meter", "square meters"),
        "m³": Noun("cubic meter", "cubic meters"),
        "m3": Noun("cubic meter", "cubic meters"),
        "m/s": Noun("meter per second", "meters per second"),
        "km": Noun("kilometer", "kilometers"),
        "kg": Noun("kilogram", "kilograms"),
        "mg": Noun("milligram", "milligrams"),
        "g": Noun("gram", "grams"),
        "cm": Noun("centimeter", "centimeters"),
        "mm": Noun("millimeter", "millimeters"),
        "m": Noun("meter", "meters"),
        "ml": Noun("milliliter", "milliliters"),
        "l": Noun("liter", "liters"),
        "ha": Noun("hectare", "hectares"),
        "kWh": Noun("kilowatt-hour", "kilowatt-hours"),
        "MWh": Noun("megawatt-hour", "megawatt-hours"),
        "GWh": Noun("gigawatt-hour", "gigawatt-hours"),
        "TWh": Noun("terawatt-hour", "terawatt-hours"),
        "kW": Noun("kilowatt", "kilowatts"),
        "MW": Noun("megawatt", "megawatts"),
        "GW": Noun("gigawatt", "gigawatts"),
        "°C": Noun("degree Celsius", "degrees Celsius"),
        "ºC": Noun("degree Celsius", "degrees Celsius"),
        "° C": Noun("degree Celsius", "degrees Celsius"),
        "°F": Noun("degree Fahrenheit", "degrees Fahrenheit"),
        "ºF": Noun("degree Fahrenheit", "degrees Fahrenheit"),
        "° F": Noun("degree Fahrenheit", "degrees Fahrenheit"),
        "°": Noun("degree", "degrees"),
        "mph": Noun("mile per hour", "miles per hour"),
        "mi": Noun("mile", "miles"),
        "ft": Noun("foot", "feet"),
        "lb": Noun("pound", "pounds"),
        "lbs": Noun("pound", "pounds"),
        "h": Noun("hour", "hours"),
        "min": Noun("minute", "minutes"),
    },
    "es": {
        "km/h": Noun("kilómetro por hora", "kilómetros por hora"),
        "km²": Noun("kilómetro cuadrado", "kilómetros cuadrados"),
        "km2": Noun("kilómetro cuadrado", "kilómetros cuadrados"),
        "m²": Noun("metro cuadrado", "metros cuadrados"),
        "m2": Noun("metro cuadrado", "metros cuadrados"),
        "m³": Noun("metro cúbico", "metros cúbicos"),
        "m3": Noun("metro cúbico", "metros cúbicos"),
        "m/s": Noun("metro por segundo", "metros por segundo"),
        "km": Noun("kilómetro", "kilómetros"),
        "kg": Noun("kilogramo", "kilogramos"),
        "mg": Noun("miligramo", "miligramos"),
        "g": Noun("gramo", "gramos"),
        "cm": Noun("centímetro", "centímetros"),
        "mm": Noun("milímetro", "milímetros"),
        "m": Noun("metro", "metros"),
        "ml": Noun("mililitro", "mililitros"),
        "l": Noun("litro", "litros"),
        "ha": Noun("hectárea", "hectáreas", True),
        "t": Noun("tonelada", "toneladas", True),
        "hm3": Noun("hectómetro cúbico", "hectómetros cúbicos"),
        "hm³": Noun("hectómetro cúbico", "hectómetros cúbicos"),
        "kWh": Noun("kilovatio hora", "kilovatios hora"),
        "MWh": Noun("megavatio hora", "megavatios hora"),
        "GWh": Noun("gigavatio hora", "gigavatios hora"),
        "TWh": Noun("teravatio hora", "teravatios hora"),
        "kW": Noun("kilovatio", "kilovatios"),
        "MW": Noun("megavatio", "megavatios"),
        "GW": Noun("gigavatio", "gigavatios"),
        "°C": Noun("grado Celsius", "grados Celsius"),
        "ºC": Noun("grado Celsius", "grados Celsius"),
        "° C": Noun("grado Celsius", "grados Celsius"),
        "°F": Noun("grado Fahrenheit", "grados Fahrenheit"),
        "ºF": Noun("grado Fahrenheit", "grados Fahrenheit"),
        "° F": Noun("grado Fahrenheit", "grados Fahrenheit"),
        "°": Noun("grado", "grados"),
        "h": Noun("hora", "horas", True),
        "min": Noun("minuto", "minutos"),
    },
}
# Spanish "ha" is also the verb: "en 2019 ha crecido". A past participle after it means verb.
VERB_AFTER_HA_ES = (
    r"(?:\w+(?:ado|ido|ada|ida)|hecho|dicho|visto|puesto|vuelto|escrito|abierto|muerto|roto"
    r"|sido|habido)\b"
)

# ---------------------------------------------------------------- dates and times

MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}
# Written forms of each month, by number: full names and the abbreviations used before a day.
MONTH_FORMS = {
    "en": {
        "January": 1,
        "Jan.": 1,
        "Jan": 1,
        "February": 2,
        "Feb.": 2,
        "Feb": 2,
        "March": 3,
        "Mar.": 3,
        "April": 4,
        "Apr.": 4,
        "May": 5,
        "June": 6,
        "Jun.": 6,
        "July": 7,
        "Jul.": 7,
        "August": 8,
        "Aug.": 8,
        "Aug": 8,
        "September": 9,
        "Sept.": 9,
        "Sept": 9,
        "Sep.": 9,
        "October": 10,
        "Oct.": 10,
        "Oct": 10,
        "November": 11,
        "Nov.": 11,
        "Nov": 11,
        "December": 12,
        "Dec.": 12,
        "Dec": 12,
    },
    "es": {
        "enero": 1,
        "febrero": 2,
        "marzo": 3,
        "abril": 4,
        "mayo": 5,
        "junio": 6,
        "julio": 7,
        "agosto": 8,
        "septiembre": 9,
        "setiembre": 9,
        "octubre": 10,
        "noviembre": 11,
        "diciembre": 12,
    },
}
FIRST_OF_MONTH_ES = "primero"  # "1 de mayo" -> "primero de mayo" (Latin America, and RAE-valid)

# English words before a 4-digit number that make it a year ("in 1931", "since 1066").
YEAR_CONTEXT_EN = (
    "in",
    "In",
    "since",
    "Since",
    "by",
    "By",
    "until",
    "Until",
    "till",
    "from",
    "From",
    "before",
    "Before",
    "after",
    "After",
    "during",
    "During",
    "circa",
    "year",
    "early",
    "Early",
    "mid",
    "late",
    "Late",
    "spring",
    "summer",
    "autumn",
    "fall",
    "winter",
    *MONTHS["en"],
)
# Words after a 1900-2099 number that make it a quantity, not a year ("2000 people").
NOT_YEAR_FOLLOWERS_EN = (
    "percent",
    "per cent",
    "hundred",
    "thousand",
    "million",
    "billion",
    "trillion",
    "people",
    "times",
    "units",
    "dollars",
    "euros",
    "pounds",
    "pesos",
    "yen",
)
# Names whose model numbers are read in pairs, like years: "Boeing 737" -> "seven thirty-seven".
MODEL_NAMES_EN = ("Boeing",)
# A three-digit number before one of these singular nouns names a model ("a 747 jet"):
# a count would take the plural.
MODEL_NOUNS_EN = ("jet", "jetliner", "airliner", "jumbo", "plane", "engine", "rifle")
# Numbers read in pairs like a year after these: a bill ("SB 1047": "ten forty-seven") or a
# flight ("Flight 232", "flight UA 232": "two thirty-two").
PAIRED_AFTER_EN = ("SB", "HB", "AB", "HR", "H.R.", "Flight", "flight")
# Emergency numbers are said digit by digit, after a verb of calling or before a call.
EMERGENCY_EN = ("911", "999", "112")
CALLING_EN = ("call", "calls", "called", "calling", "dial", "dials", "dialed", "dialing")

# Spanish says the part of the day instead of a.m./p.m.: (a or p, first hour, last hour, words).
AM_PM = {"en": {"a": "AM", "p": "PM"}, "es": {}}
# Capitals without periods: engines end a sentence at "p.m. Eastern" (espeak-ng and piper
# break there) and read "a m" as "uh em"; "AM" they spell. The period comes back only where
# the sentence ends there ("at 8 p.m. The vote ...").
PARTS_OF_DAY_ES = (
    ("a", 0, 5, "de la madrugada"),
    ("a", 6, 11, "de la mañana"),
    ("a", 12, 12, "de la noche"),
    ("p", 12, 12, "del mediodía"),
    ("p", 1, 7, "de la tarde"),
    ("p", 8, 11, "de la noche"),
)
OCLOCK = {"en": "o'clock", "es": ""}
HUNDRED_HOURS = {"en": "hundred", "es": "horas"}  # "20:00" -> "twenty hundred", "veinte horas"
# Words before which a masculine ordinal keeps its full form ("el 1.º de mayo", "3.º y
# último"); before any other word, a noun, "primero"/"tercero" shorten ("3.º lugar").
NO_APOCOPE_AFTER_ES = frozenset(
    "de del y e o u en a al con por para que como ni sino pero se lo la los las le les".split()
)
ONE_HOUR_ES = "hora"
DURATION_UNITS = {
    "en": (("hour", "hours"), ("minute", "minutes"), ("second", "seconds")),
    "es": (("hora", "horas"), ("minuto", "minutos"), ("segundo", "segundos")),
}  # "a la 1:00 h": "la una hora"
OH = {"en": "oh", "es": "cero"}  # "9:05" -> "nine oh five"

# ---------------------------------------------------------------- abbreviations

# Titles: expanded only before a capitalised name, so a sentence's period is never eaten.
AND_WORDS = {"en": ("and", "&"), "es": ("y", "e")}
TITLES = {
    "en": {
        "Mr.": "Mister",
        "Mr": "Mister",
        "Mrs.": "Missus",
        "Mrs": "Missus",
        "Ms.": "Miz",
        "Dr.": "Doctor",
        "Dr": "Doctor",
        "Prof.": "Professor",
        "Gov.": "Governor",
        "Sen.": "Senator",
        "Rep.": "Representative",
        "Gen.": "General",
        "Lt.": "Lieutenant",
        "Col.": "Colonel",
        "Capt.": "Captain",
        "Sgt.": "Sergeant",
        "Rev.": "Reverend",
        "Pres.": "President",
        "St.": "Saint",
        "Mt.": "Mount",
        "Ft.": "Fort",
        "Ald.": "Alderman",
        "Del.": "Delegate",
        "Assemb.": "Assemblymember",
        "Supt.": "Superintendent",
        "Cmdr.": "Commander",
        "Adm.": "Admiral",
        "Maj.": "Major",
        "Cpl.": "Corporal",
        "Pvt.": "Private",
        "Hon.": "Honorable",
        "Msgr.": "Monsignor",
        "Fr.": "Father",
        "Atty.": "Attorney",
        "Insp.": "Inspector",
        "Det.": "Detective",
    },
    "es": {
        "Sr.": "señor",
        "Sra.": "señora",
        "Srta.": "señorita",
        "Sres.": "señores",
        "Dr.": "doctor",
        "Dra.": "doctora",
        "Lic.": "licenciado",
        "Licda.": "licenciada",
        "Ing.": "ingeniero",
        "Prof.": "profesor",
        "Gral.": "general",
        "Dña.": "doña",
        "Sto.": "santo",
        "Sta.": "santa",
        "Av.": "avenida",
        "Avda.": "avenida",
        "Arq.": "arquitecto",
        "Mtro.": "maestro",
        "Mtra.": "maestra",
        "Pbro.": "presbítero",
        "Excmo.": "excelentísimo",
        "Excma.": "excelentísima",
        "Cnel.": "coronel",
        "Tte.": "teniente",
        "Cap.": "capitán",
        "Sgto.": "sargento",
        "Dip.": "diputado",
        "Sen.": "senador",
        "Pdte.": "presidente",
        "Gob.": "gobernador",
    },
}
# A Spanish title after a feminine article takes its feminine form: "la Lic. Ruiz" ->
# "la licenciada Ruiz" (the abbreviation does not say; the article does).
FEMININE_TITLES_ES = {
    "licenciado": "licenciada",
    "ingeniero": "ingeniera",
    "profesor": "profesora",
    "doctor": "doctora",
    "arquitecto": "arquitecta",
    "diputado": "diputada",
    "senador": "senadora",
    "gobernador": "gobernadora",
    "presidente": "presidenta",
    "señor": "señora",
    "maestro": "maestra",
    "santo": "santa",
}
FEMININE_ARTICLES_ES = ("la", "una", "esta", "esa", "La", "Una", "Esta", "Esa")
# Other abbreviations, expanded anywhere; a period that also ends the sentence is kept.
ABBREVIATIONS = {
    "en": {
        "U.S.A.": "U S A",
        "U.S.": "U S",
        "U.K.": "U K",
        "U.N.": "U N",
        "E.U.": "E U",
        "e.g.": "for example",
        "i.e.": "that is",
        "etc.": "et cetera",
        "vs.": "versus",
        "a.k.a.": "also known as",
        "approx.": "approximately",
        "Ph.D.": "P H D",
        "St.": "Street",
        "Dr.": "Drive",
        "Ave.": "Avenue",
        "Blvd.": "Boulevard",
        "Jr.": "Junior",
        "Sr.": "Senior",
        "Inc.": "Incorporated",
        "Corp.": "Corporation",
        "Ltd.": "Limited",
        "Dept.": "Department",
    },
    "es": {
        "EE. UU.": "Estados Unidos",
        "EE.UU.": "Estados Unidos",
        "EEUU": "Estados Unidos",
        "pág.": "página",
        "págs.": "páginas",
        "núm.": "número",
        "nº": "número",
        "n.º": "número",
        "Nº": "número",
        "N.º": "número",
        "aprox.": "aproximadamente",
        "etc.": "etcétera",
        "p. ej.": "por ejemplo",
        "p.ej.": "por ejemplo",
        "Ud.": "usted",
        "Uds.": "ustedes",
        "Cía.": "compañía",
        "art.": "artículo",
        "vol.": "volumen",
        "tel.": "teléfono",
        "a. C.": "antes de Cristo",
        "a.C.": "antes de Cristo",
        "d. C.": "después de Cristo",
        "d.C.": "después de Cristo",
        "Av.": "avenida",
        "Avda.": "avenida",
    },
}
# Abbreviations said only before a number: "No. 1" ("No." is a word otherwise).
BEFORE_NUMBER = {
    "en": {"No.": "number", "Nos.": "numbers", "no.": "number", "p.": "page", "pp.": "pages"},
    "es": {},
}
# Capitalised words that start a sentence: after "in the U.S." one of these means the
# abbreviation's period also ended the sentence. Any other capital ("U.S. Senate") does not.
SENTENCE_STARTERS = {
    "en": frozenset(
        "The A An He She It They We I You But And Or So Yet In On At For From By With As This "
        "That These Those There Here His Her Its Their Our My Your When While After Before If "
        "Although Though Now Then Still However Meanwhile Some Many Most All Officials "
        "According What Why How Who Where Last Next One Two Mr Mrs Ms Dr".split()
    ),
    "es": frozenset(
        "El La Los Las Lo Un Una Unos Unas Él Ella Ellos Ellas Yo Nosotros Pero Y O Así Sin En "
        "Con Por Para Desde De Del Al A Este Esta Estos Estas Ese Esa Eso Aquí Allí Su Sus Mi "
        "Cuando Mientras Después Antes Si Aunque Ahora Luego Todavía Sin Además También Según "
        "Algunos Muchos Qué Por Cómo Quién Dónde No Se Le Les".split()
    ),
}

# Capitalised words that continue a sentence after a time's "a.m."/"p.m." ("8 p.m. Eastern
# time", "5 p.m. GMT"). Any other capital there starts a new sentence ("11 p.m. Nobody").
CONTINUES_AFTER_TIME = {
    "en": frozenset(
        "Eastern Pacific Central Mountain Atlantic Alaska Hawaii ET EST EDT PT PST PDT CT CST "
        "CDT MT MST MDT GMT UTC BST CET CEST Monday Tuesday Wednesday Thursday Friday "
        "Saturday Sunday".split()
    ),
    "es": frozenset("GMT UTC ET CET CEST".split()),
}
# Abbreviations whose period ends the sentence before any capital: no name follows "etc.".
ENDS_BEFORE_ANY_CAPITAL = {"en": frozenset({"etc."}), "es": frozenset({"etc."})}

# ---------------------------------------------------------------- web addresses and symbols

# Top-level domains that mark a bare "example.com" as an address. Programming file
# extensions that are also country codes (.py, .md, .sh, .rs, .js) are left out.
TLDS = frozenset(
    "com org net edu gov mil int info biz io co es mx ar cl pe uy py ve ec bo cr gt hn sv ni "
    "pa do cu pr us uk ca au nz ie eu fr de it pt nl be ch at se no dk fi br tv news app dev "
    "ai online site blog press media".split()
) - frozenset({"py"})
WEB_WORDS = {
    "en": {".": "dot", "@": "at", "/": "slash", "_": "underscore", "+": "plus"},
    "es": {".": "punto", "@": "arroba", "/": "barra", "_": "guion bajo", "+": "más"},
}
MAX_SPOKEN_PATH = 20  # a URL path longer than this (or with more than one segment) is dropped
HASHTAG = {"en": "hashtag", "es": "hashtag"}
NUMBER_SIGN = {"en": "number", "es": "número"}  # "#1"

# Symbols said as words wherever they stand alone or between words.
SYMBOLS = {
    "en": {"&": "and", "+": "plus", "=": "equals", "@": "at", "§": "section", "%": "percent"},
    "es": {"&": "y", "+": "más", "=": "igual a", "@": "arroba", "§": "sección", "%": "por ciento"},
}
# Characters read as noise and removed. Besides these, every character of the Unicode
# categories below goes (emoji, arrows, box drawing, dingbats, private use): none is a letter.
NOISE = "*|•‣◦·→←↑↓↔⇒⇐⇔➔➜➤►▶◀▷◁■□▪▫◆◇○●★☆✓✔✗✘†‡¶~^`\\¦_#$€£¥°©®™"
NOISE_CATEGORIES = frozenset({"So", "Sk", "Co", "Cn", "Me"})
# Invisible characters removed before anything else: zero-width, bidi marks, variation selectors.
INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\ufe0e\ufe0f\u202a\u202b\u202c\u202d\u202e"
)

# ---------------------------------------------------------------- Roman numerals

# Names that take a regnal or papal number ("Henry VIII", "Juan Pablo II"): the numeral is
# read as an ordinal, "Henry the Eighth", "Juan Pablo segundo" (from 11 on Spanish uses the
# cardinal: "Luis catorce"). Only after one of these is a lone "I" or "V" a numeral.
REGNAL_NAMES = {
    "en": frozenset(
        "Henry Edward George William Charles Elizabeth Victoria Mary Anne James Richard John "
        "Stephen Louis Philip Philippe Felipe Juan Carlos Alfonso Ferdinand Isabella Frederick "
        "Wilhelm Nicholas Alexander Peter Catherine Ivan Napoleon Ramesses Ramses Leopold "
        "Albert Baudouin Harald Olav Haakon Gustav Gustaf Christian Margrethe Frederik "
        "Willem Beatrix Rainier Juliana Constantine Paul Pius Leo Gregory Benedict Francis "
        "Innocent Clement Urban Boniface Sixtus Alexander Julius Adrian Hadrian Celestine "
        "Martin Nicholas Eugene Honorius Callixtus Pedro Manuel Umberto Vittorio Emanuel "
        "Mohammed Mohammad Muhammad Abdullah Hussein Akihito Selim Suleiman Mehmed Murad "
        "Sancho Jaime Enrique Fernando Isabel Carlos Ludwig Otto Rudolf Franz Joseph Karl "
        "Sigismund Casimir Stanislaus Vladimir Boris Andrew Malcolm Duncan David Robert".split()
    ),
    "es": frozenset(
        "Felipe Carlos Alfonso Fernando Isabel Juan Pablo Juana Enrique Jaime Pedro Sancho "
        "Ramiro García Ordoño Bermudo Fruela Luis Enrique Jorge Eduardo Guillermo Ricardo "
        "Isabel María Victoria Catalina Leonor Urraca Beatriz Cristina Margarita Ana "
        "Benedicto Pío León Gregorio Francisco Inocencio Clemente Urbano Bonifacio Sixto "
        "Julio Adriano Celestino Martín Nicolás Eugenio Honorio Calixto Alejandro Juan "
        "Napoleón Federico Guillermo Nicolás Pedro Iván Catalina Manuel Amadeo Leopoldo "
        "Alberto Balduino Harald Olaf Gustavo Cristián Margarita Guillermo Beatriz Rainiero "
        "Mohamed Abdalá Huséin Akihito Solimán Ludovico Otón Rodolfo Carlomagno Pablo".split()
    ),
}
# Spanish regnal names that take the feminine ordinal ("Isabel II" -> "Isabel segunda").
FEMININE_REGNAL_ES = frozenset(
    "Isabel María Victoria Catalina Leonor Urraca Beatriz Cristina Margarita Ana Juana".split()
)
# Nouns after which a numeral is a plain number: "World War II" -> "World War two",
# "capítulo IV" -> "capítulo cuatro".
ROMAN_CARDINAL_AFTER = {
    "en": frozenset(
        "war chapter chapters part parts act acts volume volumes vol phase phases title "
        "article articles section sections book books episode episodes season seasons stage "
        "stages round rounds level levels class grade type schedule annex appendix bowl "
        "olympiad congress symphony psalm canto".split()
    ),
    "es": frozenset(
        "capítulo capítulos tomo tomos acto actos parte partes fase fases título títulos "
        "artículo artículos volumen volúmenes libro libros episodio episodios temporada "
        "temporadas etapa etapas nivel niveles grado grados tipo tipos anexo apéndice "
        "edición olimpiada sinfonía salmo canto legislatura".split()
    ),
}
# English: a numeral before one of these is an ordinal ("the XIX century" -> "nineteenth").
ROMAN_ORDINAL_BEFORE_EN = frozenset({"century", "centuries", "millennium"})
# Spanish: a numeral after one of these is a century, said as a cardinal ("siglo diecinueve").
CENTURY_ES = {"siglo": "siglo", "siglos": "siglos", "s.": "siglo", "S.": "siglo"}
# Spanish articles before an ordinal numeral ("la II Guerra Mundial" -> "la segunda …"),
# and whether they are feminine.
ROMAN_ARTICLES_ES = {"el": False, "del": False, "al": False, "la": True, "las": True, "los": False}
REGNAL_THE = {"en": "the", "es": ""}
# Words that join two numerals read alike ("los siglos XV y XVI", "Parts I and II").
JOINERS = {
    "en": frozenset({"and", "or", "to", "through"}),
    "es": frozenset({"y", "e", "o", "a", "al"}),
}

# ---------------------------------------------------------------- slashes

# Written with a slash, said without one.
SLASH_WORDS = {
    "en": {
        "y/y": "year on year",
        "Y/Y": "year on year",
        "q/q": "quarter on quarter",
        "m/m": "month on month",
        "w/o": "without",
        "w/": "with",
        "c/o": "care of",
        "and/or": "and or",
        "he/she": "he or she",
        "his/her": "his or her",
        "him/her": "him or her",
        "24/7": "twenty-four seven",
    },
    "es": {
        "C/": "calle",
        "c/": "calle",
        "a/a": "interanual",
        "t/t": "intertrimestral",
        "m/m": "intermensual",
        "s/n": "sin número",
        "c/u": "cada uno",
        "y/o": "y o",
        "24/7": "veinticuatro siete",
    },
}
# A fraction's denominator (2 to 10), singular and plural: "3/4" -> "three quarters".
FRACTIONS = {
    "en": {
        2: ("half", "halves"),
        3: ("third", "thirds"),
        4: ("quarter", "quarters"),
        5: ("fifth", "fifths"),
        6: ("sixth", "sixths"),
        7: ("seventh", "sevenths"),
        8: ("eighth", "eighths"),
        9: ("ninth", "ninths"),
        10: ("tenth", "tenths"),
    },
    "es": {
        2: ("medio", "medios"),
        3: ("tercio", "tercios"),
        4: ("cuarto", "cuartos"),
        5: ("quinto", "quintos"),
        6: ("sexto", "sextos"),
        7: ("séptimo", "séptimos"),
        8: ("octavo", "octavos"),
        9: ("noveno", "novenos"),
        10: ("décimo", "décimos"),
    },
}
ONE_FRACTION = {"en": "one", "es": "un"}
# Spanish "1/2" before a noun agrees with it ("media taza", "medio kilo"); another fraction
# takes "de" ("un cuarto de taza", "tres cuartos de kilo").
HALF_ES = {True: "media", False: "medio"}
