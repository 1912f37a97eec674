"""Normalizer: every rule by in/out tables in English and Spanish, plus properties."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listen.errors import UnsupportedLanguage
from listen.text import normalize as n
from listen.text.normalize import data as spoken_data
from listen.text.normalize import normalize, roman


def check(language: str, text: str, spoken: str) -> None:
    assert normalize(text, language) == spoken


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "1,000.5", "one thousand point five"),
        ("en", "1,200", "one thousand two hundred"),
        ("en", "3.75", "three point seven five"),
        ("en", "105", "one hundred five"),
        ("en", "1,000,000", "one million"),
        ("en", "1.000.000", "one million"),
        ("en", "0.5", "zero point five"),
        ("en", "-5", "minus five"),
        ("en", "−3.5", "minus three point five"),
        ("en", "+34", "plus thirty-four"),
        ("en", "pages 1,5", "pages one, five"),  # an English comma before 1-2 digits: a list
        ("en", "007", "zero zero seven"),
        (
            "en",
            "1234567890123456789",
            "one two three four five six seven eight nine zero "
            "one two three four five six seven eight nine",
        ),
        ("es", "1.000,5", "mil coma cinco"),
        ("es", "38.412", "treinta y ocho mil cuatrocientos doce"),
        ("es", "9,3", "nueve coma tres"),
        ("es", "9,35", "nueve coma treinta y cinco"),
        ("es", "0,05", "cero coma cero cinco"),
        ("es", "1,200.50", "mil doscientos punto cincuenta"),  # Mexican style
        ("es", "1,200", "mil doscientos"),
        ("es", "38\u00a0412", "treinta y ocho mil cuatrocientos doce"),
        ("es", "-5", "menos cinco"),
        ("es", "21 000 habitantes", "veintiún mil habitantes"),
        ("es", "1 000 000", "un millón"),
        ("en", "in 2019 200 people", "in twenty nineteen two hundred people"),
        ("es", "1 millón", "un millón"),
        ("es", "21 millones", "veintiún millones"),
        ("es", "21 mil", "veintiún mil"),
        ("es", "21 años", "veintiún años"),
        ("es", "21 personas", "veintiuna personas"),
        ("es", "200 personas", "doscientas personas"),
        ("es", "1 vez", "una vez"),
        ("es", "ganó 21 a 0", "ganó veintiuno a cero"),
        ("es", "849,1 millones", "ochocientos cuarenta y nueve coma uno millones"),
    ],
)
def test_numbers(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "token, language, amount",
    [
        ("1,000.5", "en", n.Amount("1000", "5", ".")),
        ("1.000,5", "es", n.Amount("1000", "5", ",")),
        ("1,200", "en", n.Amount("1200")),
        ("1,200", "es", n.Amount("1200")),
        ("38.412", "es", n.Amount("38412")),
        ("38.412", "en", n.Amount("38", "412", ".")),
        ("9,3", "es", n.Amount("9", "3", ",")),
        ("9,3", "en", None),
        ("3.11.7", "en", None),
        ("0,500", "es", n.Amount("0", "500", ",")),
        ("1,2,3", "es", None),
        ("1.000.000,25", "es", n.Amount("1000000", "25", ",")),
    ],
)
def test_parse_amount(token, language, amount):
    assert n.parse_amount(token, language) == amount


def test_money_reads_a_period_before_three_digits_as_thousands():
    assert n.parse_amount("2.000", "en", money=True) == n.Amount("2000")


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "2019-2023", "twenty nineteen to twenty twenty-three"),
        ("en", "10–12", "ten to twelve"),
        ("en", "The Senate voted 52-48.", "The Senate voted fifty-two to forty-eight."),
        ("en", "won 7-4", "won seven to four"),
        ("en", "6-1, 6-4, 6-3", "six to one, six to four, six to three"),
        ("en", "10-12 km", "ten to twelve kilometers"),
        ("en", "10-12%", "ten to twelve percent"),
        ("en", "3 - 1", "three to one"),
        ("es", "2019-2023", "dos mil diecinueve a dos mil veintitrés"),
        ("es", "10–12", "diez a doce"),
        ("es", "ganó 3-1", "ganó tres a uno"),
        ("es", "entre 10-12 %", "entre diez a doce por ciento"),
    ],
)
def test_ranges_and_scores(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "1st, 2nd, 3rd, 4th", "first, second, third, fourth"),
        ("en", "21st", "twenty-first"),
        ("en", "101st", "one hundred first"),
        ("en", "the 1,000th visitor", "the one thousandth visitor"),
        ("en", "11th", "eleventh"),
        ("es", "1.º", "primero"),
        ("es", "2.ª", "segunda"),
        ("es", "3er", "tercer"),
        ("es", "1er", "primer"),
        ("es", "1.er piso", "primer piso"),
        ("es", "1º", "primero"),
        ("es", "20ª", "vigésima"),
        ("es", "21.º", "vigésimo primero"),
        ("es", "11.º", "undécimo"),
        ("es", "13.ª", "decimotercera"),
        ("es", "3.os", "terceros"),
        ("es", "2da vuelta", "segunda vuelta"),
        ("es", "125.º aniversario", "centésimo vigésimo quinto aniversario"),
    ],
)
def test_ordinals(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "12%", "twelve percent"),
        ("en", "12 %", "twelve percent"),
        ("en", "4.5%", "four point five percent"),
        ("en", "-3%", "minus three percent"),
        ("en", "65 per cent", "sixty-five per cent"),
        ("en", "12 percent", "twelve percent"),
        ("es", "12%", "doce por ciento"),
        ("es", "4,5 %", "cuatro coma cinco por ciento"),
        ("es", "1 %", "uno por ciento"),
        ("es", "12 por ciento", "doce por ciento"),
        ("es", "+0,3 %", "más cero coma tres por ciento"),
        ("es", "5 ‰", "cinco por mil"),
    ],
)
def test_percentages(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "$48.6 million", "forty-eight point six million dollars"),
        ("en", "US$ 4.5bn", "four point five billion US dollars"),
        ("en", "€12", "twelve euros"),
        ("en", "12 €", "twelve euros"),
        ("en", "£3.2m", "three point two million pounds"),
        ("en", "$250", "two hundred fifty dollars"),
        ("en", "$1", "one dollar"),
        ("en", "$3.50", "three dollars and fifty cents"),
        ("en", "$0.99", "ninety-nine cents"),
        ("en", "$5.00", "five dollars"),
        ("en", "$1 million", "one million dollars"),
        ("en", "$50k", "fifty thousand dollars"),
        ("en", "-$5", "minus five dollars"),
        ("en", "$10-12 million", "ten to twelve million dollars"),
        ("en", "MXN 1,500", "one thousand five hundred Mexican pesos"),
        ("en", "COP 2.000", "two thousand Colombian pesos"),
        ("en", "$12/month", "twelve dollars/month"),
        ("es", "US$4,5 millones", "cuatro coma cinco millones de dólares estadounidenses"),
        ("es", "US$ 4.5bn", "cuatro punto cinco mil millones de dólares estadounidenses"),
        ("es", "US$1 mil millones", "mil millones de dólares estadounidenses"),
        ("es", "COP 2.000", "dos mil pesos colombianos"),
        ("es", "MXN 1.500", "mil quinientos pesos mexicanos"),
        ("es", "12 millones de euros", "doce millones de euros"),
        ("es", "$250", "doscientos cincuenta dólares"),
        ("es", "$17,000 millones", "diecisiete mil millones de dólares"),
        ("es", "€1", "un euro"),
        ("es", "21 €", "veintiún euros"),
        ("es", "3,50 €", "tres euros con cincuenta céntimos"),
        ("es", "£1", "una libra"),
        ("es", "£21", "veintiuna libras"),
        ("es", "$1.000.000", "un millón de dólares"),
        ("es", "US$10 a 12 millones", "diez a doce millones de dólares estadounidenses"),
    ],
)
def test_currencies(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "May 5, 2024", "May fifth, twenty twenty-four"),
        ("en", "5 May 2024", "the fifth of May, twenty twenty-four"),
        ("en", "the 5th of May", "the fifth of May"),
        ("en", "2024-05-05", "May fifth, twenty twenty-four"),
        ("en", "5/6/2024", "May sixth, twenty twenty-four"),  # month/day
        ("en", "13/5/2024", "May thirteenth, twenty twenty-four"),  # only day/month works
        ("en", "Jan. 5", "January fifth"),
        ("en", "Sept. 11, 2001", "September eleventh, two thousand one"),
        ("en", "May 15-17", "May fifteenth to seventeenth"),
        ("en", "in May 2023", "in May twenty twenty-three"),
        ("en", "2024-13-45", "two zero two four, one three, four five"),  # no date: digits
        ("es", "5 de mayo de 2024", "cinco de mayo de dos mil veinticuatro"),
        ("es", "1 de mayo", "primero de mayo"),
        ("es", "1.º de mayo", "primero de mayo"),
        ("es", "1° de Mayo", "primero de mayo"),
        ("es", "10 de setiembre", "diez de septiembre"),
        ("es", "5/6/2024", "cinco de junio de dos mil veinticuatro"),  # day/month
        ("es", "5/13/2024", "trece de mayo de dos mil veinticuatro"),  # only month/day works
        ("es", "2024-05-05", "cinco de mayo de dos mil veinticuatro"),
        ("es", "05.05.2024", "cinco de mayo de dos mil veinticuatro"),
        ("es", "21 de mayo", "veintiuno de mayo"),
    ],
)
def test_dates(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "2:15 a.m.", "two fifteen AM."),
        ("en", "6 a.m.", "six AM."),
        ("en", "at 7pm on Monday", "at seven PM on Monday"),
        (
            "en",
            "At 8 p.m. Eastern time the polls closed.",
            "At eight PM Eastern time the polls closed.",
        ),
        ("en", "It ends at 10 a.m. The vote follows.", "It ends at ten AM. The vote follows."),
        ("en", "from 9 a.m. to 5 p.m. on weekdays", "from nine AM to five PM on weekdays"),
        ("es", "a las 7.45 de la mañana", "a las siete y cuarenta y cinco de la mañana"),
        (
            "es",
            "desde la 1.30 hasta las 14.15",
            "desde la una y treinta hasta las catorce y quince",
        ),
        (
            "es",
            "el índice subió 7.45 puntos",
            "el índice subió siete punto cuarenta y cinco puntos",
        ),
        ("en", "6 AM", "six AM"),
        ("en", "14:30", "fourteen thirty"),
        ("en", "9:05", "nine oh five"),
        ("en", "9:00", "nine o'clock"),
        ("en", "20:00", "twenty hundred"),
        ("en", "10:30:15", "ten:thirty:fifteen"),  # a race time is no clock time
        ("en", "13:75", "thirteen:seventy-five"),
        ("es", "14:30", "catorce y treinta"),
        ("es", "14.30 h", "catorce y treinta"),
        ("es", "las 20:00", "las veinte horas"),
        ("es", "las 20:00 h", "las veinte horas"),
        ("es", "la 1:30", "la una y treinta"),
        ("es", "a las 6 p. m. El alcalde", "a las seis de la tarde. El alcalde"),
        ("es", "a las 6 p. m. en punto", "a las seis de la tarde en punto"),
        ("es", "2:15 a.m.", "dos y quince de la madrugada."),
        ("es", "a las 12 p. m.", "a las doce del mediodía."),
        ("es", "a las 21:00", "a las veintiuna horas"),
        ("es", "de 9 a 12", "de nueve a doce"),
    ],
)
def test_times(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "in 1931", "in nineteen thirty-one"),
        ("en", "2019", "twenty nineteen"),
        ("en", "2000", "two thousand"),
        ("en", "2007", "two thousand seven"),
        ("en", "1905", "nineteen oh five"),
        ("en", "since 1066", "since ten sixty-six"),
        ("en", "1066", "one thousand sixty-six"),  # standalone, outside 1900-2099
        ("en", "1500 people", "one thousand five hundred people"),
        ("en", "2000 people", "two thousand people"),
        ("en", "2000 km", "two thousand kilometers"),
        ("en", "$2019", "two thousand nineteen dollars"),
        ("en", "by 2030 percent", "by two thousand thirty percent"),
        ("en", "1990s", "nineteen nineties"),
        ("en", "the '80s", "the eighties"),
        ("en", "2000s", "two thousands"),
        ("en", "the 2019/20 season", "the twenty nineteen/twenty season"),
        ("es", "en 2019", "en dos mil diecinueve"),
        ("es", "1931", "mil novecientos treinta y uno"),
        ("es", "desde 1066", "desde mil sesenta y seis"),
        ("es", "los '90", "los noventa"),
        ("es", "los 90s", "los noventa"),
    ],
)
def test_years(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "Mr. Smith", "Mister Smith"),
        ("en", "Mr Bowen said", "Mister Bowen said"),
        ("en", "Mrs. Jones and Dr. Lee", "Missus Jones and Doctor Lee"),
        ("en", "Prof. Ruiz", "Professor Ruiz"),
        ("en", "Gov. Newsom and Sen. Warren", "Governor Newsom and Senator Warren"),
        ("en", "Rep. Ocasio-Cortez", "Representative Ocasio-Cortez"),
        ("en", "Gen. Milley", "General Milley"),
        ("en", "St. Louis", "Saint Louis"),
        ("en", "on Main St. near the park", "on Main Street near the park"),
        ("en", "He lives on Main St. The house", "He lives on Main Street. The house"),
        ("en", "in the U.S. Senate", "in the U S Senate"),
        ("en", "in the U.S. The", "in the U S. The"),
        ("en", "in the U.S.", "in the U S."),
        ("en", "the U.K. and the U.N.", "the U K and the U N."),
        ("en", "e.g. apples, i.e. fruit", "for example apples, that is fruit"),
        ("en", "apples, pears, etc. But", "apples, pears, et cetera. But"),
        ("en", "Biden vs. Trump", "Biden versus Trump"),
        ("en", "No. 10", "number ten"),
        ("en", "No. They said", "No. They said"),
        ("en", "given to Tester and Rep.", "given to Tester and Rep."),
        ("es", "Sr. López", "señor López"),
        ("es", "la Sra. Pérez y la Dra. Ruiz", "la señora Pérez y la doctora Ruiz"),
        ("es", "el Dr. Gómez", "el doctor Gómez"),
        ("es", "Lic. Torres e Ing. Díaz", "licenciado Torres e ingeniero Díaz"),
        ("es", "en EE.UU.", "en Estados Unidos."),
        ("es", "en EE. UU. y Canadá", "en Estados Unidos y Canadá"),
        ("es", "viajó a EE.UU. El viaje", "viajó a Estados Unidos. El viaje"),
        ("es", "pág. 5", "página cinco"),
        ("es", "núm. 3", "número tres"),
        ("es", "nº 5", "número cinco"),
        ("es", "aprox. 30", "aproximadamente treinta"),
        ("es", "frutas, etc.", "frutas, etcétera."),
        ("es", "p. ej. el agua", "por ejemplo el agua"),
    ],
)
def test_abbreviations(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "1 km", "one kilometer"),
        ("en", "2 km", "two kilometers"),
        ("en", "6.2km", "six point two kilometers"),
        ("en", "100 km/h", "one hundred kilometers per hour"),
        ("en", "5 kg", "five kilograms"),
        ("en", "30 °C", "thirty degrees Celsius"),
        ("en", "-1 °C", "minus one degree Celsius"),
        ("en", "86°F", "eighty-six degrees Fahrenheit"),
        ("en", "a 30° angle", "a thirty degrees angle"),
        ("en", "500 MW and 2 GW", "five hundred megawatts and two gigawatts"),
        ("en", "3 kWh", "three kilowatt-hours"),
        ("en", "1 million km", "one million kilometers"),
        ("en", "40 ha", "forty hectares"),
        ("en", "5 l", "five liters"),
        ("en", "15 cm and 3 mm", "fifteen centimeters and three millimeters"),
        ("es", "1 km", "un kilómetro"),
        ("es", "2 km", "dos kilómetros"),
        ("es", "21 km", "veintiún kilómetros"),
        ("es", "1 ha", "una hectárea"),
        ("es", "21 ha", "veintiuna hectáreas"),
        ("es", "1,5 km", "uno coma cinco kilómetros"),
        ("es", "1.000.000 km", "un millón de kilómetros"),
        ("es", "5 ha de cultivo", "cinco hectáreas de cultivo"),
        ("es", "en 2019 ha crecido", "en dos mil diecinueve ha crecido"),
        ("es", "80 m2", "ochenta metros cuadrados"),
        ("es", "24 h", "veinticuatro horas"),
        ("es", "-3 °C", "menos tres grados Celsius"),
        ("es", "1 l", "un litro"),
        ("es", "la km", "la km"),  # only after a number
    ],
)
def test_units(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "www.example.com", "example dot com"),
        ("en", "Visit example.com.", "Visit example dot com."),
        ("en", "https://www.example.com/news", "example dot com slash news"),
        ("en", "https://www.example.com/news/2024/05/long-story?x=1", "example dot com"),
        ("en", "bbc.co.uk", "bbc dot co dot uk"),
        ("en", "a.b@c.org", "a dot b at c dot org"),
        ("en", "(write to news@example.com)", "(write to news at example dot com)"),
        ("en", "README.md and main.py", "README.md and main.py"),
        ("en", "the end.The next", "the end.The next"),
        ("es", "www.ejemplo.com/noticias", "ejemplo punto com barra noticias"),
        ("es", "a.b@c.org", "a punto b arroba c punto org"),
        ("es", "https://elpais.com/internacional/2024-05-05/nota.html", "elpais punto com"),
    ],
)
def test_web_addresses(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "Black & Decker", "Black and Decker"),
        ("en", "AT&T", "AT and T"),
        ("en", "2+2", "two plus two"),
        ("en", "#MeToo", "hashtag Me Too"),
        ("en", "#1 hit", "number one hit"),
        ("en", "@user said", "at user said"),
        ("en", "Good * news | today", "Good news today"),
        ("en", "• First → second", "First second"),
        ("en", "Great news 🎉🎉!", "Great news!"),
        ("en", "ACME™ and Foo®", "ACME and Foo"),
        ("en", "zero\u200bwidth", "zerowidth"),
        ("es", "Black & Decker", "Black y Decker"),
        ("es", "#SinFiltro", "hashtag Sin Filtro"),
        ("es", "@el_pais informó", "arroba el pais informó"),
        ("es", "¡ Hola !", "¡Hola!"),
        ("es", "col·lecció", "col lecció"),
    ],
)
def test_symbols_and_noise(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "555-123-4567", "five five five, one two three, four five six seven"),
        ("en", "(555) 123-4567", "five five five, one two three, four five six seven"),
        ("en", "+1 202 555 0100", "plus one, two zero two, five five five, zero one zero zero"),
        (
            "es",
            "+34 912 345 678",
            "más tres cuatro, nueve uno dos, tres cuatro cinco, seis siete ocho",
        ),
        ("es", "912 345 678", "nueve uno dos, tres cuatro cinco, seis siete ocho"),
        ("en", "1-800-555-0199", "one, eight zero zero, five five five, zero one nine nine"),
        (
            "en",
            "call +44 20 7946 0958",
            "call plus four four, two zero, seven nine four six, zero nine five eight",
        ),
        ("en", "1 000 000 000", "one billion"),  # spaced thousands, not a phone
        (
            "es",
            "+52 55 1234 5678",
            "más cinco dos, cinco cinco, uno dos tres cuatro, cinco seis siete ocho",
        ),
        ("es", "91 234 56 78", "nueve uno, dos tres cuatro, cinco seis, siete ocho"),
        ("es", "(55) 5555-1234", "cinco cinco, cinco cinco cinco cinco, uno dos tres cuatro"),
        ("es", "38.412.000", "treinta y ocho millones cuatrocientos doce mil"),  # not a phone
        ("es", "en 2019 2020 y 2021", "en dos mil diecinueve dos mil veinte y dos mil veintiuno"),
    ],
)
def test_phone_numbers(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "COVID-19", "COVID-19"),
        ("en", "the G7 summit", "the G7 summit"),
        ("en", "iPhone 15", "iPhone fifteen"),
        ("en", "Boeing 737", "Boeing seven thirty-seven"),
        ("en", "a B-52 bomber", "a B-52 bomber"),
        ("en", "7-Eleven", "seven-Eleven"),
        ("en", "3D printing", "3D printing"),
        ("en", "5G network", "5G network"),
        ("en", "version 2.0", "version two point zero"),
        ("en", "Python 3.11.7", "Python three dot eleven dot seven"),
        ("en", "Airbus A320", "Airbus A320"),
        ("en", "MP3", "MP3"),
        ("en", "may 5 be", "may five be"),  # lowercase "may" is no month
        ("es", "COVID-19", "COVID-19"),
        ("es", "el G7", "el G7"),
        ("es", "iPhone 15", "iPhone quince"),
        ("es", "Boeing 737", "Boeing setecientos treinta y siete"),
        ("es", "7-Eleven", "siete-Eleven"),
        ("es", "Web 2.0", "Web dos punto cero"),
        ("es", "un B-52", "un B-52"),
        ("es", "matrícula N799RM", "matrícula N799RM"),
    ],
)
def test_tricky_non_matches(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        # regnal and papal names: an ordinal
        ("en", "Henry VIII had six wives.", "Henry the eighth had six wives."),
        (
            "en",
            "Queen Elizabeth II died in 2022.",
            "Queen Elizabeth the second died in twenty twenty-two.",
        ),
        (
            "en",
            "King Charles III was crowned on Saturday.",
            "King Charles the third was crowned on Saturday.",
        ),
        ("en", "Pope John Paul II visited Poland.", "Pope John Paul the second visited Poland."),
        ("en", "Pope Benedict XVI resigned.", "Pope Benedict the sixteenth resigned."),
        ("en", "Louis XIV built Versailles.", "Louis the fourteenth built Versailles."),
        (
            "en",
            "King George V reigned until 1936.",
            "King George the fifth reigned until nineteen thirty-six.",
        ),
        ("en", "Richard I led the crusade.", "Richard the first led the crusade."),
        ("en", "Henry V.", "Henry the fifth."),
        ("es", "Juan Pablo II visitó México.", "Juan Pablo segundo visitó México."),
        ("es", "El rey Felipe VI habló.", "El rey Felipe sexto habló."),
        ("es", "Isabel II reinó 70 años.", "Isabel segunda reinó setenta años."),
        ("es", "Carlos V fue emperador.", "Carlos quinto fue emperador."),
        ("es", "Alfonso XIII se exilió.", "Alfonso trece se exilió."),
        ("es", "Luis XIV construyó Versalles.", "Luis catorce construyó Versalles."),
        ("es", "el papa Benedicto XVI", "el papa Benedicto dieciséis"),
        ("es", "Juan Carlos I abdicó.", "Juan Carlos primero abdicó."),
        # numbered things: a cardinal
        ("en", "World War II ended in 1945.", "World War two ended in nineteen forty-five."),
        ("en", "before World War I", "before World War one"),
        ("en", "Chapter IV explains it.", "Chapter four explains it."),
        ("en", "Title IX protects students.", "Title nine protects students."),
        ("en", "Type II diabetes", "Type two diabetes"),
        ("en", "Super Bowl LVIII was in Las Vegas.", "Super Bowl fifty-eight was in Las Vegas."),
        ("en", "Parts I and II", "Parts one and two"),
        ("en", "Henry VIII and I", "Henry the eighth and I"),
        ("en", "Chapters IV and V", "Chapters four and five"),
        ("en", "Apollo XI landed.", "Apollo eleven landed."),
        ("en", "Rocky II opened.", "Rocky two opened."),
        ("en", "the XIX century", "the nineteenth century"),
        ("es", "el capítulo IV del informe", "el capítulo cuatro del informe"),
        ("es", "el artículo XV de la ley", "el artículo quince de la ley"),
        ("es", "en el siglo XIX", "en el siglo diecinueve"),
        ("es", "desde el s. XVIII", "desde el siglo dieciocho"),
        ("es", "los siglos XV y XVI", "los siglos quince y dieciséis"),
        ("es", "la II Guerra Mundial", "la segunda Guerra Mundial"),
        ("es", "el III Congreso Nacional", "el tercer Congreso Nacional"),
        ("es", "el I Festival", "el primer Festival"),
        # spelled like numerals, read as written
        ("en", "I said I would go.", "I said I would go."),
        ("en", "V for Vendetta", "V for Vendetta"),
        ("en", "a CD and a DVD", "a CD and a DVD"),
        ("en", "Washington, DC, and MD", "Washington, DC, and MD"),
        ("en", "size XL", "size XL"),
        ("en", "John D. Rockefeller", "John D. Rockefeller"),
        ("en", "Type C", "Type C"),
        ("en", "PRESIDENT MEETS XI JINPING", "PRESIDENT MEETS XI JINPING"),
        ("en", "In II cases", "In II cases"),
        ("es", "Vi a Felipe", "Vi a Felipe"),
        ("es", "la vitamina C", "la vitamina C"),
    ],
)
def test_roman_numerals(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        (
            "en",
            "The mayor (who was elected in 2019) said no.",
            "The mayor, who was elected in twenty nineteen, said no.",
        ),
        ("en", "It costs $5 (about €4).", "It costs five dollars, about four euros."),
        ("en", "See the chart (below), then", "See the chart, below, then"),
        ("en", "a call (or two)", "a call, or two"),
        ("en", "(Reuters) - The bank", "(Reuters) - The bank"),
        ("en", "Three items: (1) bread, (2) milk", "Three items: (one) bread, (two) milk"),
        (
            "es",
            "El alcalde (elegido en 2019) dijo que no.",
            "El alcalde, elegido en dos mil diecinueve, dijo que no.",
        ),
        ("es", "la ONU (Naciones Unidas) pidió calma", "la ONU, Naciones Unidas, pidió calma"),
    ],
)
def test_an_aside_in_parentheses_is_a_short_pause(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        # titles before a name
        ("en", "Ald. Maria Perez voted no.", "Alderman Maria Perez voted no."),
        ("en", "Del. Jones filed the bill.", "Delegate Jones filed the bill."),
        ("en", "Supt. Brown closed schools.", "Superintendent Brown closed schools."),
        ("en", "Adm. Chen took command.", "Admiral Chen took command."),
        ("en", "Det. Ruiz testified.", "Detective Ruiz testified."),
        ("en", "Fr. Murphy said Mass.", "Father Murphy said Mass."),
        # Spanish titles agree with their article
        ("es", "la Lic. María López", "la licenciada María López"),
        ("es", "el Lic. Pérez", "el licenciado Pérez"),
        ("es", "una Ing. Ruiz", "una ingeniera Ruiz"),
        ("es", "la Dip. Gómez votó", "la diputada Gómez votó"),
        ("es", "la Sen. Ortiz", "la senadora Ortiz"),
        ("es", "el Arq. Díaz", "el arquitecto Díaz"),
        ("es", "la presidente electa", "la presidenta electa"),
        # one hashtag word, model numbers, ranges of years
        ("en", "the hashtag #VoteYes spread", "the hashtag Vote Yes spread"),
        ("es", "el hashtag #YoVoto", "el hashtag Yo Voto"),
        ("en", "a 747 jet landed", "a seven forty-seven jet landed"),
        ("en", "the 737 plane", "the seven thirty-seven plane"),
        ("en", "it bought 300 planes", "it bought three hundred planes"),
        ("es", "entre 1990-95", "entre mil novecientos noventa a mil novecientos noventa y cinco"),
        ("es", "la temporada 2019-20", "la temporada dos mil diecinueve a dos mil veinte"),
        ("es", "en 1998-02", "en mil novecientos noventa y ocho a dos mil dos"),
        ("en", "from 1990-95", "from nineteen ninety to ninety-five"),
        # numbers read in pairs or digit by digit by what they are
        ("en", "Call 911 if you see smoke.", "Call nine one one if you see smoke."),
        ("en", "a 911 call", "a nine one one call"),
        ("en", "911 people", "nine hundred eleven people"),
        ("en", "Gov. Newsom signed SB 1047.", "Governor Newsom signed SB ten forty-seven."),
        ("en", "Flight UA 232 landed", "Flight UA two thirty-two landed"),
        ("en", "flight 1549 ditched", "flight fifteen forty-nine ditched"),
        ("es", "La ley 7/2023 fue aprobada.", "La ley siete de dos mil veintitrés fue aprobada."),
        ("es", "creció un 0,5% t/t", "creció un cero coma cinco por ciento intertrimestral"),
        ("en", "Henry VIII's six wives", "Henry the eighth's six wives"),
        # an amount before a noun is an adjective: no plural
        ("en", "a $3.2 million budget", "a three point two million dollar budget"),
        ("en", "paid a $5 million settlement", "paid a five million dollar settlement"),
        ("en", "an $8 billion deal", "an eight billion dollar deal"),
        ("en", "a £20 note", "a twenty pound note"),
        ("en", "a €40 increase per year", "a forty euro increase per year"),
        ("en", "a million dollars in cash", "a million dollars in cash"),
        ("en", "it cost $5 million last year", "it cost five million dollars last year"),
        ("en", "a $100 fine.", "a one hundred dollar fine."),
    ],
)
def test_titles_agreement_and_contexts(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize(
    "language, text, spoken",
    [
        ("en", "the 9/11 attacks", "the nine eleven attacks"),
        ("en", "3/4 of voters agreed", "three quarters of voters agreed"),
        ("en", "1/2 cup of flour", "one half cup of flour"),
        ("en", "2/3 of the budget", "two thirds of the budget"),
        ("en", "sales rose 5% y/y", "sales rose five percent year on year"),
        ("en", "GDP grew 0.4% q/q", "GDP grew zero point four percent quarter on quarter"),
        ("en", "open 24/7", "open twenty-four seven"),
        ("en", "a burger w/ cheese", "a burger with cheese"),
        ("en", "coffee w/o sugar", "coffee without sugar"),
        ("en", "fines and/or jail", "fines and or jail"),
        ("en", "at 50 km/h", "at fifty kilometers per hour"),
        ("en", "on 5/5/2024", "on May fifth, twenty twenty-four"),
        ("es", "vive en C/ Mayor 5", "vive en calle Mayor cinco"),
        ("es", "Av. Reforma s/n", "avenida Reforma sin número"),
        ("es", "creció un 3% a/a", "creció un tres por ciento interanual"),
        ("es", "2/3 de los votos", "dos tercios de los votos"),
        ("es", "el 11/9", "el once nueve"),
        ("es", "a 100 km/h", "a cien kilómetros por hora"),
        ("es", "abierto 24/7", "abierto veinticuatro siete"),
    ],
)
def test_slashes(language, text, spoken):
    check(language, text, spoken)


def test_a_paragraph_in_each_language():
    check(
        "en",
        "On May 5, 2024, Dr. Smith paid $48.6m for 1,200 ha near St. Louis, up 12% since 2019.",
        "On May fifth, twenty twenty-four, Doctor Smith paid forty-eight point six million "
        "dollars for one thousand two hundred hectares near Saint Louis, up twelve percent "
        "since twenty nineteen.",
    )
    check(
        "es",
        "El 1 de mayo de 2024, la Sra. Pérez pagó US$4,5 millones por 21 ha en EE.UU. a las 14:30.",
        "El primero de mayo de dos mil veinticuatro, la señora Pérez pagó cuatro coma cinco "
        "millones de dólares estadounidenses por veintiuna hectáreas en Estados Unidos a las "
        "catorce y treinta.",
    )


@pytest.mark.parametrize("language", ["en-US", "es_MX", "ES", "En"])
def test_region_tags_are_accepted(language):
    assert normalize("5", language) in ("five", "cinco")


def test_an_unsupported_language_is_an_error():
    with pytest.raises(UnsupportedLanguage, match="fr"):
        normalize("5", "fr")


def test_every_step_has_a_one_line_docstring():
    for step in n.STEPS:
        assert step.__doc__ and "\n" not in step.__doc__.strip(), step.__name__


def test_every_language_has_every_table():
    for name in dir(spoken_data):
        table = getattr(spoken_data, name)
        if isinstance(table, dict) and set(table) & {"en", "es"}:
            assert set(table) == {"en", "es"}, name


# ---------------------------------------------------------------- properties

LANGUAGES = st.sampled_from(["en", "es"])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), LANGUAGES)
def test_never_crashes(text, language):
    assert isinstance(normalize(text, language), str)


_ABBREVIATED = {
    key.rstrip(".")
    for table in (spoken_data.TITLES, spoken_data.ABBREVIATIONS, spoken_data.BEFORE_NUMBER)
    for keys in table.values()
    for key in keys
}
WORDS = st.text(st.characters(categories=["L"]), min_size=1, max_size=8).filter(
    lambda w: unicodedata.normalize("NFC", w) == w and w not in _ABBREVIATED and not roman.value(w)
)
SEPARATORS = st.sampled_from([" ", ", ", "; ", " - ", "\n", " * ", " | ", " • ", " → ", "! "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(WORDS, SEPARATORS), min_size=1, max_size=12), LANGUAGES)
def test_letters_outside_handled_tokens_are_kept(pieces, language):
    text = "".join(word + separator for word, separator in pieces)
    spoken = normalize(text, language)
    position = 0
    for word, _ in pieces:
        position = spoken.find(word, position)
        assert position >= 0, (word, spoken)
        position += len(word)


def _amount(draw, language: str) -> str:
    whole = draw(st.integers(min_value=0, max_value=10**9))
    thousands, decimal = (",", ".") if language == "en" else (".", ",")
    grouped = f"{whole:,}".replace(",", thousands) if draw(st.booleans()) else str(whole)
    if draw(st.booleans()):
        grouped += decimal + str(draw(st.integers(min_value=0, max_value=999)))
    return grouped


@st.composite
def numeric_phrases(draw):
    language = draw(LANGUAGES)
    amount = _amount(draw, language)
    currency = draw(st.sampled_from(sorted(spoken_data.CURRENCIES[language])))
    magnitude = draw(st.sampled_from(["", *sorted(spoken_data.MAGNITUDES[language])]))
    unit = draw(st.sampled_from(sorted(spoken_data.UNITS[language])))
    day, month = draw(st.integers(1, 28)), draw(st.integers(1, 12))
    year = draw(st.integers(1000, 2099))
    shape = draw(
        st.sampled_from(
            [
                f"{currency}{amount}",
                f"{currency} {amount} {magnitude}",
                f"{amount} {currency}",
                f"{amount}%",
                f"{amount} {unit}",
                f"-{amount}",
                f"{amount}-{draw(st.integers(0, 99))}",
                f"{draw(st.integers(1, 999))}{'th' if language == 'en' else '.º'}",
                f"{day}/{month}/{year}",
                f"{year}-{month:02d}-{day:02d}",
                f"{draw(st.integers(0, 23))}:{draw(st.integers(0, 59)):02d}",
                f"in {year}",
                f"{day} de {spoken_data.MONTHS['es'][month - 1]} de {year}",
                f"{spoken_data.MONTHS['en'][month - 1]} {day}, {year}",
            ]
        )
    )
    return language, f"The figure was {shape} today."


@settings(max_examples=500, deadline=None)
@given(numeric_phrases())
def test_numbers_are_all_spoken_and_normalizing_twice_changes_nothing(phrase):
    language, text = phrase
    spoken = normalize(text, language)
    assert not re.search(r"[0-9]", spoken), spoken
    assert normalize(spoken, language) == spoken


# ---------------------------------------------------------------- fast paths

# Pathological families (as in bench/adversarial.py) and ordinary text.
FAMILIES = [
    "$1 " * 300,
    "1 " * 500,
    "100 " * 300,
    "1% " * 300,
    "1st " * 300,
    "1:00 " * 300,
    "1/1/" * 300,
    "1 km " * 300,
    "+1 " * 300,
    "1\u00a0" * 300,
    "@" * 300,
    "( " * 300,
    "é" * 300,
    "\t \n " * 300,
    "US$4,5 millones y 12 € por 21 ha; 2.ª vez, 3er día.",
    "Dr. Smith paid $48.6m, up 12%, on the 21st at 2:15 p.m. (see 1 km, 2 km²).",
    "Dr. " * 300,
    "U.S. " * 300,
    "#a " * 300,
    "(@a) " * 300,
    "#MeToo @el_pais #1 a@b.es",
    "in the U.S. The Sr. Pérez, nº5, No. 3, +34 912 345 678.",
]


def _unmemoized(pattern, say, text, language):
    """The same rule as re.sub with a Python callback per match and no cache."""
    say = getattr(say, "__wrapped__", say)
    return pattern.sub(lambda m: say(language, *m.groups()), text)


@pytest.mark.parametrize("text", FAMILIES)
@pytest.mark.parametrize("language", ["en", "es"])
def test_split_steps_equal_a_callback_per_match(text, language):
    assert n.currencies(text, language) == _unmemoized(
        n._PRICE[language, True], n._say_groups, text, language
    )
    assert n.percentages(text, language) == _unmemoized(n._PERCENT, n._say_percent, text, language)
    assert n.ordinals(text, language) == _unmemoized(
        n._ORDINAL[language], n._say_ordinal, text, language
    )
    assert n.abbreviations(text, language) == _unmemoized(
        n._ABBREVIATION[language], n._say_abbreviation, text, language
    )
    assert n.phone_numbers(text, language) == _unmemoized(
        n._PHONE_WHOLE, n._say_phone, text, language
    )
    tagged = _unmemoized(n._HASHTAG, n._say_hashtag, text, language)
    assert n.hashtags_and_handles(text, language) == _unmemoized(
        n._HANDLE, n._say_handle, tagged, language
    )
    gender = n._GENDER_ES if language == "es" else {}
    expected = n._NUMBER.sub(
        lambda m: n.say_free_number.__wrapped__(
            m.group("sign"),
            m.group(2),
            language,
            gender.get(m2.group(1)) if (m2 := n.NEXT_WORD.match(text, m.end())) else None,
        ),
        text,
    )
    assert n.numbers(text, language) == expected


@pytest.mark.parametrize(
    "function, args",
    [
        (n.say_free_number, ("-", "21", "es", True)),
        (n.say_free_number, (None, "849,1", "es", False)),
        (n.say_free_number, ("+", "1,000.5", "en", None)),
        (n._say_price, ("es", "US$4,5 millones")),
        (n._say_price, ("en", "$3.50")),
        (n._say_percent, ("es", "-", "4,5", "%")),
        (n._say_ordinal, ("es", "2", ".ª")),
        (n._say_ordinal, ("en", "1,000", "th")),
        (n._say_measure, ("es", None, "21", None, "ha")),
        (n._say_measure, ("en", "-", "2", "million", "km")),
        (n._say_abbreviation, ("en", "U.S.", "The", None, " The", "The", " ")),
        (n._say_abbreviation, ("en", "St.", "Louis", None, " Louis", "Louis", " ")),
        (n._say_abbreviation, ("es", "nº", None, "5", None, None, "5")),
        (n._say_phone, ("es", "+34 912 345 678", "+34 ", "912 345 678")),
    ],
)
def test_memoized_words_equal_the_unmemoized(function, args):
    function.cache_clear()
    first = function(*args)
    assert first == function.__wrapped__(*args) == function(*args)
    assert function.cache_info().hits == 1


@pytest.mark.parametrize(
    "text, fires",
    [
        ("at 2:15 p.m.", True),
        ("at 6 p. m.", True),
        ("a las 14.30 h", True),
        ("14:30", True),
        ("at 5pm", True),
        ("12 h", False),  # an hour alone is no time
        ("5 of them", False),
        ("1/1/" * 300, False),
        ("1:00 " * 300, True),
    ],
)
def test_times_look_ahead_for_minutes_or_am_pm(text, fires):
    assert bool(n.times.__globals__["_TIME"].search(text)) == fires
    assert (n.times(text, "en") != text) == fires


_PLAIN_SPACES = (
    (re.compile(r"[^\S\n]+"), " "),
    (re.compile(r" (?=[,.;:!?)\]}»”](?!\w))"), ""),
    (re.compile(r"([(\[{«“¿¡]) "), r"\1"),
    (re.compile(r" ?\n ?"), "\n"),
)


@pytest.mark.parametrize(
    "text",
    [*FAMILIES, " a  b\t c \n d ", "( a ) [ b ] ¿ c ? « d »", "a \n\n b", "\u00a0x\u2009y ", "(("],
)
def test_spaces_change_only_what_needs_changing(text):
    expected = text
    for pattern, replacement in _PLAIN_SPACES:
        expected = pattern.sub(replacement, expected)
    assert n.spaces(text, "en") == expected.strip()


@pytest.mark.parametrize(
    "text, spoken",
    [
        ("a & b", "a  and  b"),
        ("1+1=2", "1 plus 1 equals 2"),
        ("é" * 50, "é" * 50),
        ("@@", " at  at "),
        ("no symbol here", "no symbol here"),
    ],
)
def test_symbols_translate(text, spoken):
    assert n.symbols(text, "en") == spoken


# ---------------------------------------------------------------- fast-failing patterns


# The price and unit patterns as they were before their look-ahead guards, and the piecewise
# reading of a number before its single join: the guarded forms must split and read alike.
def _old_currency(lang: str) -> re.Pattern[str]:
    from listen.text.normalize.numerals import END, NUM, START, alternation, first_of, sign

    keys = alternation(spoken_data.CURRENCIES[lang])
    mags = alternation(spoken_data.MAGNITUDES[lang])
    trailing = spoken_data.TRAILING_CURRENCIES
    return re.compile(
        rf"((?=[-−+0-9$€£¥A-Z])(?:(?<![\w.,)\]])(?P<sign>[-−]))?(?<![\w$])"
        rf"(?P<cur>{keys})\s?(?P<num>{NUM})(?:(?:\s?[-–]\s?|\s{spoken_data.RANGE_WORD[lang]}\s)"
        rf"(?:{keys})?\s?(?P<num2>{NUM}))?"
        rf"(?:\s?{first_of(spoken_data.MAGNITUDES[lang])}(?P<mag>{mags})(?!\w))?{END}"
        rf"|{sign('tsign')}{START}(?P<tnum>{NUM})"
        rf"(?:\s?{first_of(spoken_data.MAGNITUDES[lang])}(?P<tmag>{mags}))?"
        rf"\s?{first_of(trailing)}(?P<tcur>{alternation(trailing)})(?!\w))"
    )


def _old_unit(lang: str) -> re.Pattern[str]:
    from listen.text.normalize.numerals import NUM, SIGN, START, alternation, first_of

    scales, units = spoken_data.SCALE_WORDS[lang], spoken_data.UNITS[lang]
    return re.compile(
        rf"{SIGN}{START}(?P<num>{NUM})\s?"
        rf"(?:{first_of(scales)}(?P<mag>{alternation(scales)})\s)?"
        rf"{first_of(units)}(?P<unit>{alternation(units)})(?![\w²³/])"
    )


def _old_say_number(token: str, language: str) -> str:
    from listen.text.normalize import numerals as numbers

    amount = numbers.parse_amount(token, language)
    if amount is not None:
        return numbers.say_amount(amount, language)
    parts = re.split(r"([.,\u00a0\u202f\u2009 ])", token)
    out = numbers.say_integer(parts[0], language)
    for mark, digits in zip(parts[1::2], parts[2::2], strict=True):
        out += spoken_data.GROUP_JOINER[language].get(mark, " ") + numbers.say_integer(
            digits, language
        )
    return out


_GUARD_FRAGMENTS = (
    "-1 ",
    "+1 ",
    "1 ",
    "$1 ",
    "1 km ",
    "1,",
    "1.",
    "1\u00a0",
    "100 ",
    "1-",
    "−2 € ",
)
_GUARD_TEXTS = [
    prefix + fragment * 300 + ending
    for prefix in ("", "Dr. ", "$ ")
    for fragment in _GUARD_FRAGMENTS
    for ending in ("", "x", " €")
] + [
    "He paid $48.6 million, -$3, 12 € and US$ 4 bn; 10-12 million dollars, -5 EUR, +3 $.",
    "Costó 4,5 millones de dólares, COP 2.000 y 3 m€; 21 ha, 5 kg, -2 km, 1 mil km², 7 °C.",
    "A 1,5,7 list, 1.2.3.4, 1 000 000 pieces, 1,02,003.0004 and 12 345,678.9 units.",
]


@pytest.mark.parametrize("language", ["en", "es"])
def test_guarded_patterns_split_as_before(language: str) -> None:
    old_currency, old_unit = _old_currency(language), _old_unit(language)
    for text in _GUARD_TEXTS:
        assert n._PRICE[language, True].split(text) == old_currency.split(text)
        new_units = [m.groupdict() | {"at": m.span()} for m in n._UNIT[language].finditer(text)]
        old_units = [m.groupdict() | {"at": m.span()} for m in old_unit.finditer(text)]
        assert new_units == old_units


@pytest.mark.parametrize("language", ["en", "es"])
def test_numbers_of_many_pieces_read_as_before(language: str) -> None:
    from listen.text.normalize.numerals import NUM, say_number

    for text in _GUARD_TEXTS:
        for token in re.findall(NUM, text):
            assert say_number(token, language) == _old_say_number(token, language)


_PRICE_PIECES = st.sampled_from(
    [
        "1",
        "12",
        "3,5",
        "4.000",
        " ",
        "-",
        "−",
        "+",
        "$",
        "€",
        "£",
        "US$",
        "EUR",
        "USD",
        "COP",
        "million",
        "millones",
        "mil",
        "M",
        "bn",
        "k",
        "de",
        "to",
        "a",
        ".",
        ",",
        "x",
        "\u00a0",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PRICE_PIECES, max_size=14).map("".join), LANGUAGES)
def test_prices_found_without_the_trailing_form_are_the_same(text: str, language: str) -> None:
    """Where no digit is followed by a trailing currency, only the leading form is tried:
    the words must be those of the whole pattern, with a callback per match."""
    assert n.currencies(text, language) == _unmemoized(
        n._PRICE[language, True], n._say_groups, text, language
    )
    if n._TRAILING_PRICE[language].search(text) is None:
        full, leading = n._PRICE[language, True], n._PRICE[language, False]
        parts = full.split(text)
        kept = leading.groups + 1  # the text before a match, then the leading form's groups
        assert leading.split(text) == [
            part for i, part in enumerate(parts) if i % (full.groups + 1) < kept
        ]
