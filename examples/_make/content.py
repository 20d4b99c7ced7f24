"""Invented articles for the Broadsheet example corpus (all outlets, people and events are fictional)."""


def P(s):
    return [p.strip().replace("\n", " ") for p in s.strip().split("\n\n")]


# ---------------------------------------------------------------- HTML pages
HTML = {}

HTML["ferry"] = dict(
    title="Ferry workers walk out as contract talks collapse",
    dek="Crews on the Harbor Line stopped work at dawn after negotiators failed to agree on overtime rules, stranding thousands of island commuters.",
    authors=["Maria Okafor", "Tom Brandt"],
    published="2026-11-20T07:30:00-05:00",
    modified="2026-11-20T11:05:00-05:00",
    photo=(
        "Jane Doe/Harbor Ledger",
        "Commuters wait at the North Pier for a charter boat after Harbor Line crews walked off the job on Friday.",
    ),
    body=P("""
Deckhands, engineers and ticket agents on the Harbor Line walked off the job at 5 a.m. Friday, halting ferry service between the city and the three outer islands for the first time since 2009. The strike began hours after a marathon bargaining session ended without a deal.

The Marine Workers Local 71, which represents about 340 ferry employees, said the sticking point was a proposal to lengthen shifts during the winter schedule without additional overtime pay. "Our members are exhausted," said union president Gloria Haines. "They are being asked to do more with fewer boats and less rest."

Harbor Transit Authority officials said the offer on the table included a 3.5 percent raise in each of the next three years and a one-time retention bonus. Executive director Ray Castellano called the walkout "premature and harmful to the very riders who depend on these crews."

About 9,000 people ride the ferries on a typical weekday in November, according to authority figures. Island schools announced they would close Friday, and the regional hospital said it had arranged water taxis for staff who live on Gull Island.

Private operators moved quickly to fill part of the gap. Two charter companies said they would run hourly trips from the North Pier at $15 each way, more than triple the regular fare, and lines had formed on the pier by 6:30 a.m.

State mediator Ellen Park said both sides had agreed to return to the table Saturday morning. "Nobody wants this to drag into the holiday season," she said. "There is a deal to be made here, but it will take some movement on both sides."

The last Harbor Line strike, in 2009, lasted eleven days and ended with an arbitrator's award. Riders interviewed Friday said they hoped this one would be shorter. "I have a job on the mainland and two kids on the island," said Marcus Bell, who was waiting for a charter boat. "Something has to give."
"""),
)

HTML["seawall"] = dict(
    title="Port authority approves $48 million seawall upgrade",
    dek="The project will raise a mile of aging waterfront by nearly three feet, but critics say it leaves low-lying neighborhoods to the south exposed.",
    authors=["Daniel Frye"],
    published="2026-11-18T19:10:00-05:00",
    modified="2026-11-18T21:45:00-05:00",
    photo=(
        "Tom Brandt/Harbor Ledger",
        "Waves break over the Commercial Street seawall during the October nor'easter.",
    ),
    body=P("""
The Harbor Port Authority board voted 6-1 on Wednesday to spend $48 million rebuilding the seawall along the Commercial Street waterfront, the largest flood-protection project in the city's history.

The plan calls for replacing roughly 5,200 feet of crumbling granite wall, some of it more than a century old, with a reinforced concrete structure about 2.8 feet higher than the current one. Construction is expected to begin next spring and last three years.

Engineers told the board that the existing wall has been overtopped eleven times since 2018, most recently during the October nor'easter that pushed seawater into basements along Front and Water streets. "We are well past the point of patching," said chief engineer Daniel Oyelaran.

About 60 percent of the cost will be covered by a federal resilience grant awarded last year, with the rest coming from port revenue bonds. Authority staff said no increase in harbor fees is planned to pay for the work.

The lone dissenting vote came from board member Rosa Lindqvist, who argued that the project does little for the Southside neighborhood, where many streets sit below the projected 2050 flood line. "We are protecting the warehouses and the restaurants, and telling the people who live a half mile away to wait," she said.

Authority chair Kevin Marsh said a separate study of Southside flood options would be completed by next summer and that the seawall design would allow future extensions. Public comment on the construction schedule will be accepted through Dec. 15.
"""),
)

HTML["lobster"] = dict(
    title="Lobster landings fall for a third straight season",
    dek="Warming water and rising costs are squeezing the fleet, and some captains say they may not fish next year.",
    authors=["Maria Okafor"],
    published="2026-11-16T16:20:00-05:00",
    modified="2026-11-17T08:00:00-05:00",
    photo=(
        "Jane Doe/Harbor Ledger",
        "Pete Sorensen unloads traps at the cooperative wharf on Monday.",
    ),
    body=P("""
Lobstermen working out of the harbor landed about 2.1 million pounds this season, down 14 percent from last year and the lowest total in more than a decade, according to preliminary figures released Monday by the state Division of Marine Fisheries.

Scientists have linked the decline to warming water in the gulf, which has pushed young lobsters toward deeper, colder grounds farther offshore. Surveys of juvenile lobsters along the coast have fallen for six consecutive years.

Prices at the dock held steady at around $5.40 a pound, but fuel, bait and insurance costs have climbed sharply. "You can't make up for fewer lobsters with the same price and higher bills," said Pete Sorensen, who has fished out of the harbor for 31 years.

The Harbor Lobstermen's Cooperative said 12 of its 58 member boats did not set traps after Labor Day, and at least four captains have put their boats up for sale.

State officials are considering new rules that would raise the minimum legal size of lobsters by a small fraction of an inch, a measure meant to let more females breed before they are caught. Many fishermen oppose the change, saying it would cut catches further in the short term.

A public hearing on the proposal is scheduled for Dec. 3 at the Maritime Museum. Cooperative manager Linda Choi said she expected a full room. "People are worried," she said. "This is the only thing a lot of these families have ever done."
"""),
)

HTML["school"] = dict(
    title="School board delays vote on four-day school week",
    dek="Parents packed the district office, and trustees said they want a survey of families before deciding.",
    authors=["Hannah Greer"],
    published="2026-11-17T22:40:00-07:00",
    modified="2026-11-18T07:15:00-07:00",
    photo=(
        "Sam Reyes/Valley Courier",
        "Parents line up to address the Cedar Valley School Board on Tuesday night.",
    ),
    body=P("""
The Cedar Valley School Board postponed a decision on switching to a four-day school week after more than 200 parents, teachers and students packed the district office Tuesday night, many of them asking for more time to weigh the proposal.

Under the plan, students would attend class Monday through Thursday with slightly longer days, and Fridays would be used for teacher training, tutoring and optional enrichment programs. District officials estimate the change would save about $410,000 a year in transportation and utility costs.

Superintendent Carla Benavides said the district has lost 19 teachers to neighboring districts in the past two years, several of which already use a four-day schedule. "We are competing for the same people, and right now we are losing," she said.

Parents who spoke were divided. Some said a long weekend would give families more time together, while others worried about child care. "I work Fridays. My kids are seven and nine. Who is going to watch them?" asked Jenna Morales, a nurse at Valley Regional Hospital.

Board president Tom Whitaker said the district would conduct a survey of families in December and hold two more listening sessions before a vote in January. If approved, the new calendar would take effect in the fall of 2027.
"""),
)

HTML["apples"] = dict(
    title="Apple growers report bumper harvest, but prices sink",
    dek="A national glut means the valley's biggest crop in 15 years may not pay the bills.",
    authors=["Sam Reyes"],
    published="2026-11-16T06:00:00-07:00",
    modified="2026-11-16T06:00:00-07:00",
    photo=(
        "Hannah Greer/Valley Courier",
        "Bins of Gala apples wait for pickup at a packing shed near Millerton.",
    ),
    body=P("""
Cedar Valley orchards picked their largest apple crop in at least 15 years this fall, but growers say a glut in the national market has driven prices so low that many will barely cover their costs.

Growers in the valley harvested an estimated 3.4 million bushels, up 22 percent from last year, according to the Valley Fruit Growers Association. Mild spring weather and the absence of a late frost allowed nearly every variety to set a full crop.

At the same time, large harvests in other growing regions have filled cold-storage warehouses across the country. Packers are paying about $9 a bushel for Gala apples, down from $14 a year ago, association director Mel Hargrove said.

"It's the strangest feeling, to have the best crop of your life and lose money on it," said Ana Delgado, whose family farms 80 acres of apples and pears near Millerton. She said she had left some fruit on the trees because picking it would cost more than it would sell for.

Some growers are turning to cider makers and roadside sales to make up the difference. The Millerton farmers market extended its season by three weeks, and two local cideries said they had bought more fruit than ever before.

The association has asked the state agriculture department to expand a program that buys surplus fruit for school lunches and food banks. A decision is expected before the end of the year.
"""),
)

HTML["radwege"] = dict(
    title="Stadtrat beschließt neues Radwegenetz für die Innenstadt",
    dek="Bis 2030 sollen 24 Kilometer geschützte Radwege entstehen. Der Handel fürchtet um Parkplätze.",
    authors=["Jens Vollmer"],
    published="2026-11-19T10:15:00+01:00",
    modified="2026-11-19T12:30:00+01:00",
    photo=(
        "Foto: Anke Roth/Rheinische Abendpost",
        "Noch teilen sich Autos und Fahrräder die Fahrbahn am Rheinufer.",
    ),
    body=P("""
Der Stadtrat hat am Mittwochabend mit breiter Mehrheit ein neues Radverkehrskonzept für die Innenstadt beschlossen. Bis zum Jahr 2030 sollen rund 24 Kilometer baulich getrennte Radwege entstehen, dazu mehrere Fahrradstraßen und 1.800 zusätzliche Abstellplätze.

Die Kosten beziffert die Verwaltung auf etwa 31 Millionen Euro, von denen das Land voraussichtlich zwei Drittel übernimmt. Mit den ersten Bauarbeiten am Rheinufer soll bereits im kommenden Frühjahr begonnen werden.

„Wir holen nach, was andere Städte vor zehn Jahren angefangen haben“, sagte Verkehrsdezernentin Miriam Kessler in der Sitzung. Die Zahl der Unfälle mit Radfahrern sei in den vergangenen fünf Jahren um fast ein Viertel gestiegen.

Kritik kam vom Einzelhandelsverband, der den Wegfall von rund 600 Parkplätzen im Zentrum bemängelt. Geschäftsführer Bernd Achterberg warnte, viele Kundinnen und Kunden aus dem Umland kämen weiterhin mit dem Auto. „Wer die Innenstadt schwerer erreichbar macht, schwächt sie“, sagte er.

Die Verwaltung verweist dagegen auf eine Zählung aus dem Sommer, nach der inzwischen mehr als ein Drittel der Innenstadtbesucher mit dem Rad oder zu Fuß kommt. Zudem sollen zwei Parkhäuser am Rand der Altstadt länger geöffnet bleiben.

Gegen das Konzept stimmten die Fraktionen von FDP und Freien Wählern. Ein Antrag, die Pläne zunächst in einem Bürgerentscheid abstimmen zu lassen, fand keine Mehrheit.
"""),
)

# latin-1 only characters (no typographic quotes/dashes): written as ISO-8859-1
HTML["deich"] = dict(
    title="Hochwasserschutz: Sanierung der Deiche verzögert sich um zwei Jahre",
    dek="Weiche Tonschichten im Untergrund machen aufwendigere Arbeiten nötig. Die Kosten steigen auf 57 Millionen Euro.",
    authors=["Katrin Hollmann", "Stefan Reuter"],
    published="2026-11-19T17:45:00+01:00",
    modified="2026-11-19T18:20:00+01:00",
    photo=(
        "Foto: Stefan Reuter/Rheinische Abendpost",
        "Der Deich bei Niederbruch soll bis Ende 2029 erhöht und verstärkt werden.",
    ),
    body=P("""
Die Sanierung der Rheindeiche zwischen Auweiler und Niederbruch wird deutlich länger dauern als geplant. Wie die Bezirksregierung am Donnerstag mitteilte, ist mit einem Abschluss der Arbeiten nicht vor Ende 2029 zu rechnen.

Grund für die Verzögerung sind nach Angaben der Behörde unerwartete Bodenverhältnisse. Bei Probebohrungen seien auf mehreren hundert Metern weiche Tonschichten gefunden worden, die eine aufwendigere Gründung der neuen Spundwände erforderlich machen.

Die Kosten steigen dadurch von ursprünglich 42 auf voraussichtlich 57 Millionen Euro. Bund und Land tragen den Großteil, die beteiligten Gemeinden müssen jedoch mit höheren Eigenanteilen rechnen.

Anwohner in den tiefer gelegenen Ortsteilen reagierten verärgert. "Wir haben 2021 gesehen, wie schnell es gehen kann", sagte Ulrich Brenner von der Bürgerinitiative Hochwasser Niederbruch. "Jedes Jahr Verzögerung ist ein Jahr Risiko."

Die Bezirksregierung betont, dass die bestehenden Deiche bis zur Fertigstellung regelmäßig überprüft würden. Für den Ernstfall stünden zudem mobile Schutzwände bereit, die innerhalb weniger Stunden aufgebaut werden könnten.

Der Kreistag will sich in seiner Sitzung Anfang Dezember mit dem neuen Zeitplan befassen. Die Bürgerinitiative hat angekündigt, dort Fragen zur Veröffentlichung der Gutachten zu stellen.
"""),
)

HTML["maerkte"] = dict(
    title="Weihnachtsmärkte öffnen – Schausteller hoffen auf Besucherrekord",
    dek="Rund 160 Buden auf vier Plätzen: Die Altstadt rechnet mit mehr als zwei Millionen Gästen.",
    authors=["Lena Marquardt"],
    published="2026-11-23T16:00:00+01:00",
    modified="2026-11-23T19:10:00+01:00",
    photo=(
        "Foto: Anke Roth/Rheinische Abendpost",
        "Am Eröffnungsabend drängten sich die Besucher am Alten Markt.",
    ),
    body=P("""
Mit dem traditionellen Anschnitt des Riesenstollens sind am Montag die Weihnachtsmärkte in der Altstadt eröffnet worden. Rund 160 Buden verteilen sich in diesem Jahr auf vier Plätze, so viele wie nie zuvor.

Die Veranstalter rechnen bis zum 23. Dezember mit mehr als zwei Millionen Besucherinnen und Besuchern. Vor allem Reisegruppen aus den Niederlanden und Belgien hätten deutlich häufiger gebucht als im Vorjahr, sagte Marktsprecher Thomas Wegener.

Ein Becher Glühwein kostet auf den meisten Märkten nun 4,50 Euro, etwa 50 Cent mehr als 2025. Die Händler begründen den Aufschlag mit gestiegenen Kosten für Personal, Energie und Standmieten.

Die Polizei setzt erneut auf sichtbare Präsenz. Zufahrten werden mit Betonsperren und Fahrzeugen gesichert, an den Eingängen gilt ein Verbot für große Taschen und Rucksäcke.

Neu ist in diesem Jahr ein sogenannter Stiller Abend: Jeden Dienstag zwischen 17 und 19 Uhr verzichten die Märkte auf Musik und blinkende Lichter, um Menschen mit Reizempfindlichkeit einen entspannten Besuch zu ermöglichen.

„Die ersten Rückmeldungen sind sehr gut“, sagte Schaustellerin Petra Lindemann, die seit 28 Jahren einen Stand mit gebrannten Mandeln betreibt. „Wenn das Wetter mitspielt, wird das ein starkes Jahr.“
"""),
)

HTML["levy"] = dict(
    title="Library levy passes by 212 votes after recount",
    dek="",
    authors=["Dana Whitfield", "Luis Ortega"],
    date_text="November 17, 2026",
    photo=(
        "Dana Whitfield/Millbrook Weekly Register",
        "The main branch of the Millbrook Public Library on Mill Street.",
    ),
    body=P("""
A property tax levy to keep the Millbrook Public Library open six days a week has passed by 212 votes, the county board of elections confirmed Monday after completing a recount requested by opponents.

The final tally showed 4,108 votes in favor and 3,896 against, a margin of about 2.6 percentage points. The initial count on election night had the measure ahead by 219 votes; the recount found small discrepancies in two precincts but did not change the outcome.

The five-year levy will raise about $1.2 million a year, costing the owner of a $200,000 home roughly $61 annually. Library director Angela Moss said the money would restore Sunday hours cut in 2024, replace the roof on the main branch and expand the children's reading program.

"We are grateful, and we know it was close," Moss said. "We heard from a lot of people who feel stretched, and we intend to show them where every dollar goes."

The Millbrook Taxpayers Alliance, which campaigned against the levy, said it would not pursue further challenges. Spokesman Gary Pruitt said the group would instead push for an independent audit of library spending.

The levy takes effect with tax bills mailed in January.
"""),
)

HTML["firecompany"] = dict(
    title="Volunteer fire company marks 100 years with open house",
    dek="",
    authors=["Luis Ortega"],
    date_text="November 19, 2026",
    photo=(
        "Luis Ortega/Millbrook Weekly Register",
        "The company's restored 1923 pumper outside the Elm Street station.",
    ),
    body=P("""
The Millbrook Volunteer Fire Company will celebrate its 100th anniversary Saturday with an open house, a parade of antique engines and a pancake breakfast at the Elm Street station.

The company was founded in November 1926 after a fire destroyed the Hadley feed mill and several homes on Canal Street. Its first engine, a hand-cranked 1923 pumper, has been restored by members over the past four winters and will lead the parade.

Today the company has 46 active volunteers and answers roughly 600 calls a year, most of them medical emergencies and traffic crashes. Chief Ron Delaney said recruiting remains the biggest challenge. "Fifty years ago, half the men in town were on the roster," he said. "Now people work farther away and have less time."

The company has tried to widen its appeal. It now has 11 women on its roster, a junior program for teenagers and a partnership with the county community college that pays for emergency medical training.

Saturday's events begin at 8 a.m. and run until 2 p.m. Visitors can tour the station, try on gear and watch a vehicle rescue demonstration. Donations will go toward a new rescue boat for the Millbrook River.
"""),
)

HTML["coquilles"] = dict(
    title="La pêche à la coquille Saint-Jacques rouvre sous haute surveillance",
    dek="Après trois semaines d'interruption pour cause de toxines, une cinquantaine de bateaux ont repris la mer jeudi.",
    authors=["Claire Duval", "Yann Le Gall"],
    date_text="19 novembre 2026",
    photo=(
        "Yann Le Gall/Le Quotidien du Littoral",
        "Retour au port des premiers coquilliers, jeudi en fin de matinée.",
    ),
    body=P("""
Après trois semaines de fermeture, la pêche à la coquille Saint-Jacques a rouvert jeudi matin dans la baie, sous l'œil attentif des garde-côtes et des agents des affaires maritimes. Une cinquantaine de bateaux ont pris la mer dès cinq heures.

La fermeture avait été décidée fin octobre après la détection de toxines dans plusieurs échantillons prélevés au large de la pointe du Grouin. Les dernières analyses, publiées mardi, sont revenues sous les seuils réglementaires.

« On attendait ça avec impatience, les trois semaines ont coûté cher », confie Jérôme Pellerin, patron d'un chalutier de onze mètres. Selon le comité régional des pêches, la perte de chiffre d'affaires pour la flottille dépasse 1,5 million d'euros.

Pour éviter une surexploitation après la pause, les quotas journaliers ont été maintenus et la pêche reste limitée à quarante-cinq minutes par sortie, deux jours par semaine. Des contrôles renforcés sont prévus au débarquement.

Sur le marché de la criée, les premiers lots se sont vendus autour de 4,20 euros le kilo, un prix jugé correct par les mareyeurs à l'approche des fêtes, période où la demande est la plus forte.

Le comité des pêches demande désormais à l'État une aide exceptionnelle pour compenser les semaines perdues. Une réunion avec la préfecture maritime est prévue début décembre.
"""),
)

HTML["tramway"] = dict(
    title="Le tramway prolongé jusqu'à la gare maritime d'ici 2029",
    dek="Le conseil communautaire a validé un tracé de 3,2 kilomètres et cinq nouvelles stations.",
    authors=["Sophie Marchetti"],
    date_text="17 novembre 2026",
    photo=(
        "Claire Duval/Le Quotidien du Littoral",
        "Le terminus actuel de la ligne A, place de la Résistance.",
    ),
    body=P("""
Le conseil communautaire a validé lundi soir le prolongement de la ligne A du tramway jusqu'à la gare maritime, un projet évoqué depuis plus de dix ans. Les travaux doivent débuter à l'automne 2027 pour une mise en service prévue en 2029.

Le tracé de 3,2 kilomètres comptera cinq nouvelles stations, dont une desservant le futur quartier des Bassins, où 1 400 logements doivent sortir de terre. Le coût total est estimé à 118 millions d'euros.

« C'est le chaînon manquant entre la ville et son port », a déclaré le président de l'agglomération, Henri Castagne, qui espère que le tramway attirera les passagers des ferries et réduira le trafic automobile sur le boulevard maritime.

L'opposition a voté contre, jugeant le financement trop fragile. Elle s'inquiète notamment de la part reposant sur la hausse du versement mobilité payé par les entreprises de plus de onze salariés.

Les commerçants du boulevard redoutent de leur côté deux années de chantier. L'agglomération promet une commission d'indemnisation et un phasage des travaux pour maintenir l'accès aux boutiques.

Une enquête publique sera ouverte au printemps prochain, et les habitants pourront consulter le dossier en mairie et en ligne.
"""),
)

# ---------------------------------------------------------------- text dumps
TEXT = {}

TEXT["compost"] = dict(
    title="City council weighs curbside compost pickup",
    dek="A pilot in two neighborhoods diverted 180 tons of food scraps from the landfill, and councilors want to take it citywide.",
    photo=(
        "Jane Doe/Harbor Ledger",
        "A compost bin awaits collection on Pearl Street during the pilot program.",
    ),
    blurb="• A weekly digest of city hall news, delivered every Friday.",
    body=P("""
The City Council's public works committee on Thursday took up a proposal to offer curbside compost collection to every household in the city, after a yearlong pilot in the West End and Fort Hill neighborhoods drew more interest than officials expected.

About 2,300 households signed up for the pilot, which provided a green bin and weekly pickup of food scraps at no charge. Over 12 months the program collected 180 tons of material, which was turned into soil amendment at a private facility in Brookfield.

Public works director Alicia Romero said expanding the service citywide would cost about $2.6 million a year, partly offset by lower landfill tipping fees. "Food waste is heavy and it is expensive to bury," she said. "Every ton we keep out of the landfill saves us money."

Councilor Derek Haas said he supported the idea but questioned whether participation would hold up once the novelty wore off. Pilot data showed that roughly one in five households stopped putting out their bins after the first three months.

Romero said the department would consider a phased rollout beginning in the spring of 2027, starting with neighborhoods that have the highest share of single-family homes. Apartment buildings would be served later through shared drop-off points.

The committee is expected to vote on a recommendation in December. The full council would then take up the measure as part of the next budget.
"""),
    footer=[
        "You've read 3 of 5 free articles. Subscribe to continue.",
        "Get unlimited access",
        "Unlimited digital access $9/month.",
        "Share this article",
    ],
)

TEXT["airport"] = dict(
    title="Regional airport adds winter routes to Denver and Orlando",
    dek="Two new nonstop flights start in December, the first expansion at Cedar Valley Regional in six years.",
    photo=(
        "Sam Reyes/Valley Courier",
        "Passengers board a regional jet at Cedar Valley Regional Airport.",
    ),
    blurb="• A daily briefing on business and development across the valley.",
    body=P("""
Cedar Valley Regional Airport will offer nonstop flights to Denver and Orlando this winter, the first new destinations at the airport since 2020, airport officials announced Wednesday.

The Denver route will run daily starting Dec. 12, while the Orlando flight will operate twice a week, on Thursdays and Sundays, from Dec. 17 through the end of April. Both will use 76-seat regional jets.

Airport director Nadia Kowalski said the routes were secured with the help of a $750,000 revenue guarantee funded by the county and the local tourism board. If the flights fall short of agreed targets, the fund will cover part of the airline's losses during the first year.

"People in this valley have been driving three hours to catch a flight for a long time," Kowalski said. "We have shown the airline that the demand is here, and now we have to fill the seats."

Business leaders welcomed the announcement. Ryan Fulton, president of the Valley Chamber of Commerce, said a direct connection to Denver would make it easier for companies to recruit workers and host clients.

Introductory one-way fares start at $89, according to the airline's website. Tickets went on sale Wednesday morning.
"""),
    footer=[
        "You've read 4 of 5 free articles. Subscribe to continue.",
        "Get unlimited access",
        "Unlimited digital access $7.99/month.",
        "Share this article",
    ],
)

TEXT["garage"] = dict(
    title="Downtown parking garage to close for repairs through spring",
    dek="",
    photo=(
        "Priya Nand/Millbrook Weekly Register",
        "Orange barriers block the entrance to the Mill Street garage.",
    ),
    blurb="• A weekly roundup of what's happening in Millbrook, free in your inbox every Thursday.",
    body=P("""
The Mill Street parking garage, the largest public lot in downtown Millbrook, will close on Dec. 1 for structural repairs expected to last until at least April, town officials said.

An engineering inspection this summer found corrosion in steel reinforcing bars on the upper two levels, along with cracks in several support beams. The report rated the structure safe for now but recommended repairs before another winter of freeze-and-thaw cycles.

The work will cost about $1.9 million and will be paid for from the town's capital reserve fund, according to town manager Grace Holloway. "We would much rather fix it now than close it in an emergency later," she said.

The garage's 340 spaces are used mostly by downtown employees and shoppers. During the closure, the town will open a temporary lot on the former Hadley mill site and run a free shuttle every 15 minutes on weekdays.

Some business owners worry the timing could hurt holiday sales. "December is when we make our year," said Tara Nguyen, who owns a gift shop on Main Street. She said she hoped the town would extend free two-hour street parking during the closure.

Holloway said the town would consider that request at the Select Board meeting next week.
"""),
    footer=[
        "You've read 2 of 3 free articles this month.",
        "Get unlimited access",
        "Subscribe for $5/month.",
        "Share this article",
    ],
)

TEXT["bridge"] = dict(
    headers=[
        (
            "URL",
            "https://harborledger.example/news/2026/11/bridge-lane-closures?utm_source=rss&utm_medium=feed",
        ),
        ("Date", "2026-11-20T07:30:00-05:00"),
        ("Authors", "Maria Okafor; Tom Brandt"),
        ("Site", "The Harbor Ledger"),
        ("Language", "en"),
    ],
    title="Harbor Bridge lane closures begin Monday for deck repairs",
    dek="Drivers should expect delays of up to 20 minutes during the morning commute for the next six weeks.",
    photo=(
        "Tom Brandt/Harbor Ledger",
        "Crews set up equipment at the south end of the Harbor Bridge on Thursday.",
    ),
    blurb="• A daily look at traffic, transit and getting around the region.",
    body=P("""
One lane in each direction on the Harbor Bridge will close starting Monday as crews begin replacing worn sections of the bridge deck, state transportation officials said Thursday.

The closures are scheduled to remain in place through Jan. 8, with a break from Dec. 23 to Dec. 27 for holiday traffic. Work will take place around the clock so that the project can be finished before the worst of the winter weather.

The bridge carries about 62,000 vehicles a day. Department of Transportation spokeswoman Lauren Pike said traffic models predict delays of 15 to 20 minutes during peak hours. "We know this is going to be painful," she said. "We are asking people to leave early, carpool or take transit if they can."

The Harbor Transit Authority said it would add extra trips on the Route 4 and Route 9 buses during the closures. The ferry service, which was halted Friday by a strike, was not included in the plan.

The $14 million project will replace about 40 percent of the concrete deck, which was last resurfaced in 2005. Inspectors found potholes and exposed reinforcing steel during a routine review in the spring.

Updates on lane closures will be posted on the department's website and on electronic signs along Route 1.
"""),
    footer=[
        "You've read 5 of 5 free articles. Subscribe to continue.",
        "Get unlimited access",
        "Unlimited digital access $9/month.",
        "Share this article",
    ],
)

TEXT["pediatric"] = dict(
    title="Valley Regional opens new pediatric wing",
    dek="The $31 million addition doubles the number of beds for children and adds the region's first pediatric intensive care unit.",
    photo=(
        "Hannah Greer/Valley Courier",
        "Nurses tour a patient room in the new pediatric wing on Monday.",
    ),
    blurb="• A weekly newsletter on health and wellness in Cedar Valley.",
    body=P("""
Valley Regional Hospital opened its new pediatric wing on Monday, giving families in the valley access to specialized care for children that until now required a trip of several hours to a larger city.

The three-story addition includes 24 pediatric beds, up from 12, along with a six-bed intensive care unit and a dedicated emergency entrance for children. It cost $31 million, about a third of which came from private donations.

"For years we have had to put very sick children in an ambulance or a helicopter and send them away from their families," said Dr. Imani Wallace, the hospital's chief of pediatrics. "Most of those children can now stay here."

The hospital hired 38 nurses, four pediatric intensive care physicians and two respiratory therapists to staff the wing. Recruiting was difficult, Wallace said, and several positions were filled only after the hospital offered housing assistance.

The wing also includes a playroom, a family kitchen and sleeping rooms for parents. Its design was shaped in part by a panel of local families whose children had been treated at the hospital.

The first patients are expected to move into the new rooms later this week.
"""),
    footer=[
        "You've read 3 of 5 free articles. Subscribe to continue.",
        "Get unlimited access",
        "Unlimited digital access $7.99/month.",
        "Share this article",
    ],
)

# digest.txt: three articles separated by ===== lines
DIGEST = []
DIGEST.append(
    dict(
        headers=[
            (
                "URL",
                "https://valleycourier.example/news/2026/11/21/snowplow-budget?utm_source=digest",
            ),
            ("Date", "2026-11-21T08:00:00-07:00"),
            ("Authors", "Hannah Greer"),
            ("Site", "Valley Courier"),
            ("Language", "en"),
        ],
        title="County adds two snowplow crews after driver shortage last winter",
        dek="Commissioners approved overtime and signing bonuses to avoid a repeat of the slow cleanups that frustrated residents.",
        photo=(
            "Sam Reyes/Valley Courier",
            "A county plow truck is loaded with salt at the Route 12 depot.",
        ),
        blurb="• A daily briefing on county government.",
        body=P("""
Cedar County commissioners approved $640,000 on Friday to hire and train two additional snowplow crews, after a shortage of drivers left some rural roads unplowed for more than a day during storms last winter.

The money will pay for eight new seasonal drivers, signing bonuses of $2,500 for drivers with commercial licenses, and higher overtime rates during declared snow emergencies.

Road superintendent Carl Jensen told commissioners that the county started last winter with 31 of its 40 driver positions filled. "We had trucks sitting in the yard because there was nobody to drive them," he said.

Residents of the county's northern townships complained that some school bus routes remained icy for days after a February storm. Commissioner Joan Petrie said the board had heard the complaints. "That cannot happen again," she said.

Jensen said he expected to have all positions filled by mid-December, assuming the new hires pass their road tests.
"""),
        footer=["Share this article"],
    )
)
DIGEST.append(
    dict(
        headers=[
            (
                "URL",
                "https://rheinische-abendpost.example/lokales/hallenbad-schliessung-100231.html",
            ),
            ("Date", "2026-11-22T09:30:00+01:00"),
            ("Authors", "Jens Vollmer; Lena Marquardt"),
            ("Site", "Rheinische Abendpost"),
            ("Language", "de"),
        ],
        title="Hallenbad Süd bleibt bis Sommer geschlossen",
        dek="Ein Schaden an der Lüftungsanlage ist größer als gedacht. Schulen und Vereine müssen ausweichen.",
        photo=(
            "Foto: Anke Roth/Rheinische Abendpost",
            "Das Becken im Hallenbad Süd ist seit Oktober leer.",
        ),
        blurb="• Der Newsletter mit den wichtigsten Nachrichten aus der Region, jeden Morgen um sieben.",
        body=P("""
Das Hallenbad Süd bleibt voraussichtlich bis zum Beginn der Sommerferien geschlossen. Das teilten die Bäderbetriebe am Samstag mit. Ursprünglich war die Wiedereröffnung für Anfang Dezember geplant.

Bei der Reparatur der Lüftungsanlage hätten Techniker weitere Schäden an den Lüftungskanälen und an der Dachkonstruktion festgestellt, sagte Betriebsleiter Harald Simons. Die Sanierung werde nun rund 1,4 Millionen Euro kosten.

Besonders betroffen sind die Schulen im Stadtbezirk, die das Bad für den Schwimmunterricht nutzen. Ein Teil der Klassen soll nach Angaben der Stadt in das Hallenbad Nord ausweichen, das dafür morgens eine Stunde früher öffnet.

Auch die drei Schwimmvereine, die im Hallenbad Süd trainieren, müssen ihre Trainingszeiten deutlich einschränken. „Für unsere Jugendmannschaften ist das ein schwerer Rückschlag“, sagte die Vorsitzende des SV Rheinwelle, Birgit Otten.

Die Bäderbetriebe prüfen nun, ob während der Bauarbeiten zusätzliche Wasserzeiten im Lehrschwimmbecken der Gesamtschule angeboten werden können.
"""),
        footer=[
            "Jetzt weiterlesen mit Abendpost+",
            "Nur 1 Euro im ersten Monat. Jederzeit kündbar.",
        ],
    )
)
DIGEST.append(
    dict(
        headers=[],
        title="Le festival du film maritime bat son record de fréquentation",
        dek="Plus de 28 000 spectateurs ont assisté aux projections, en hausse de 15 % sur un an.",
        photo=(
            "Claire Duval/Le Quotidien du Littoral",
            "La salle comble du cinéma Le Phare lors de la soirée de clôture.",
        ),
        blurb="• Chaque vendredi, notre sélection culture et sorties dans votre boîte mail.",
        body=P("""
Le festival du film maritime s'est achevé dimanche soir sur un record de fréquentation : plus de 28 000 spectateurs ont assisté aux projections organisées pendant dix jours dans les trois salles de la ville et sous le chapiteau installé sur le quai.

Les organisateurs attribuent ce succès à une programmation plus ouverte, avec une section consacrée aux documentaires sur la pêche artisanale et une série de séances gratuites destinées aux scolaires.

Le grand prix a été attribué à « Marée basse », premier long métrage d'une réalisatrice bretonne qui suit pendant un an une famille d'ostréiculteurs confrontée à la montée des eaux. Le prix du public est revenu à un documentaire islandais.

« Nous avons vu des salles pleines dès le premier week-end, ce qui n'était jamais arrivé », se réjouit la directrice du festival, Anne-Laure Berthier, qui prépare déjà l'édition 2027.

La municipalité envisage de prolonger d'une semaine l'installation du chapiteau l'an prochain afin d'accueillir davantage de séances.
"""),
        footer=["Partager cet article", "Abonnez-vous pour lire la suite : 1 € le premier mois."],
    )
)

LATIN1 = dict(
    title="Bäckerei-Kette schließt fünf Filialen in der Region",
    dek="Höhere Energie- und Personalkosten setzen dem Familienbetrieb zu. 38 Beschäftigte sind betroffen.",
    photo=(
        "Foto: Anke Roth/Rheinische Abendpost",
        "Die Filiale am Marktplatz schließt Ende Dezember.",
    ),
    blurb="• Der Wirtschafts-Newsletter für die Region – jeden Dienstag kostenlos.",
    body=P("""
Die Bäckerei-Kette Hoffmanns Backstube schließt zum Jahresende fünf ihrer 23 Filialen in der Region. Das bestätigte Geschäftsführer Markus Hoffmann am Freitag auf Anfrage.

Betroffen sind die Standorte am Marktplatz, in der Bahnhofstraße sowie drei Filialen in den Vororten Auweiler, Kirchfeld und Niederbruch. Dort arbeiten nach Angaben des Unternehmens insgesamt 38 Beschäftigte.

„Wir haben lange gekämpft, aber die Zahlen gehen an diesen Standorten einfach nicht mehr auf“, sagte Hoffmann. Die Kosten für Strom und Gas hätten sich seit 2021 mehr als verdoppelt, gleichzeitig seien die Mieten in der Innenstadt stark gestiegen.

Allen betroffenen Mitarbeiterinnen und Mitarbeitern werde ein Arbeitsplatz in einer anderen Filiale angeboten, versicherte das Unternehmen. Die Gewerkschaft NGG kündigte dennoch an, die Gespräche genau zu begleiten.

Der Familienbetrieb wurde 1952 gegründet und wird inzwischen in dritter Generation geführt. Die Backstube in Kirchfeld, in der alle Waren hergestellt werden, sei von den Schließungen nicht betroffen.
"""),
    footer=[
        "Sie haben 3 von 5 kostenlosen Artikeln gelesen.",
        "Jetzt Abendpost+ abonnieren – 7,99 € im Monat.",
        "Artikel teilen",
    ],
)

# ---------------------------------------------------------------- JSONL wire items
WIRE = {}

WIRE["storm"] = dict(
    link="https://northstarwire.example/2026/11/21/storm-power-outages?utm_source=feed&utm_medium=rss",
    headline="Storm knocks out power to 40,000 customers along the coast",
    pubdate="2026-11-21 09:15:00-05:00",
    byline=["Erin Walsh", "Jamal Price"],
    site="Northstar Wire",
    lang="en",
    crawled="2026-11-22T01:02:03Z",
    body=P("""
A fast-moving storm brought wind gusts of more than 60 miles an hour to the coast overnight, knocking out power to about 40,000 homes and businesses and toppling trees across several towns, utility officials said Saturday.

Coastal Power and Light said crews had restored service to about half of the affected customers by mid-morning, but warned that some rural areas could remain without electricity until Monday. The company brought in 120 line workers from neighboring states to help.

The National Weather Service recorded a gust of 67 miles an hour at the harbor entrance shortly after 2 a.m. Several roads were closed by fallen trees and wires, and at least two homes were damaged when large oaks came down on their roofs.

No serious injuries were reported. Emergency officials urged residents to stay away from downed lines and to run generators only outdoors, away from windows.

Warming centers were opened in three towns for residents without heat, as overnight temperatures were expected to fall into the low 30s.
"""),
)

WIRE["utility"] = dict(
    link="https://northstarwire.example/2026/11/20/regulators-fine-utility-billing",
    headline="State regulators fine utility $3.2 million over billing errors",
    pubdate="2026-11-20 14:05:00-05:00",
    byline="Aaron Pike",
    site="Northstar Wire",
    lang="en",
    crawled="2026-11-22T01:02:05Z",
    body=P("""
State utility regulators on Friday fined Tri-County Gas $3.2 million after an investigation found that a faulty billing system overcharged more than 18,000 customers over an 11-month period.

The Public Utilities Commission said the company had known about problems with its new software for months before notifying regulators or customers. Some households were billed for estimated usage that was several times higher than their actual consumption.

In addition to the fine, the commission ordered the company to refund all overcharges with interest and to pay for an independent audit of its billing practices. Refunds are expected to average about $140 per affected customer.

"Customers trusted that their bills were accurate, and that trust was broken," commission chair Denise Albright said in a statement. "This penalty should make clear that such failures have consequences."

Tri-County Gas said in a statement that it accepted the findings and had already corrected the software. The company has 30 days to submit a refund plan.
"""),
)

WIRE["bahnstreik"] = dict(
    link="https://nwn-nachrichten.example/wirtschaft/2026-11-23/bahnstreik-pendler",
    headline="Bahnstreik: Pendler müssen sich auf Ausfälle einstellen",
    pubdate="2026-11-23 06:40:00+01:00",
    byline=["Tobias Lenz"],
    site="NWN Nachrichtendienst",
    lang="de",
    crawled="2026-11-23T07:00:00Z",
    body=P("""
Im Tarifkonflikt bei der Regionalbahn hat die Lokführergewerkschaft für Dienstag zu einem ganztägigen Warnstreik aufgerufen. Betroffen sind nach Angaben des Unternehmens vor allem die Linien im Großraum und der Pendlerverkehr in die Landeshauptstadt.

Die Bahn kündigte einen Notfahrplan an, nach dem etwa jeder dritte Zug fahren soll. Reisende sollten sich vor Fahrtantritt in der App oder auf der Internetseite informieren, teilte eine Sprecherin mit.

Die Gewerkschaft fordert eine Lohnerhöhung von acht Prozent sowie eine Verkürzung der Wochenarbeitszeit für Schichtarbeiter. Das Unternehmen hatte zuletzt 4,5 Prozent mehr Geld über eine Laufzeit von 24 Monaten angeboten.

„Wir bedauern die Folgen für die Fahrgäste, aber ohne Druck bewegt sich der Arbeitgeber nicht“, sagte der Bezirksvorsitzende der Gewerkschaft, Frank Albers. Die Bahn bezeichnete den Streik als unverhältnismäßig.

Die nächste Verhandlungsrunde ist für den 2. Dezember angesetzt.
"""),
)

WIRE["greve"] = dict(
    link="https://depeche-atlantique.example/societe/2026/11/22/greve-controleurs-aeriens",
    headline="Grève des contrôleurs aériens : une centaine de vols annulés dans l'Ouest",
    pubdate="2026-11-22 11:30:00+01:00",
    byline=["Marion Lefèvre"],
    site="La Dépêche Atlantique",
    lang="fr",
    crawled="2026-11-22T12:00:00Z",
    body=P("""
Une centaine de vols ont été annulés dimanche au départ et à l'arrivée des aéroports de l'Ouest en raison d'un mouvement de grève des contrôleurs aériens, a indiqué la direction générale de l'aviation civile.

L'autorité avait demandé samedi aux compagnies de réduire d'un tiers leurs programmes de vols. Les liaisons vers les îles britanniques et l'Espagne sont les plus touchées, de nombreux passagers ayant été réacheminés par le train.

Les syndicats protestent contre un projet de réorganisation des centres de contrôle, qui prévoit selon eux une réduction des effectifs de nuit. « Nous ne pouvons pas garantir la sécurité avec moins de personnel », estime un représentant syndical.

Le ministère des Transports assure que le projet ne prévoit aucune suppression de poste et appelle à la reprise du dialogue. Une réunion doit se tenir mardi au ministère.

Les passagers concernés peuvent se faire rembourser ou reporter leur voyage sans frais, ont précisé les principales compagnies.
"""),
)

WIRE["datacenter"] = dict(
    link="https://northstarwire.example/2026/11/19/data-center-mill-site",
    headline="Tech firm to build $400 million data center on former mill site",
    pubdate="2026-11-19 16:45:00-05:00",
    byline=["Jamal Price"],
    site="Northstar Wire",
    lang="en",
    crawled="2026-11-22T01:02:09Z",
    body=P("""
A technology company plans to build a $400 million data center on the site of a paper mill that closed in 2015, state and local officials announced Thursday.

The company, Cobaltline Systems, said it would begin construction next summer on the 90-acre riverfront property. The first phase is expected to open in 2028 and employ about 80 people, with up to 200 construction workers on site at the peak of the project.

Town officials welcomed the investment, which would become the largest taxpayer in the community. "This site has been empty for more than a decade," said town administrator Paul Renner. "To see it come back to life is something many people here had given up on."

Environmental groups raised questions about the facility's demand for electricity and water. Cobaltline said it would use a closed-loop cooling system and buy power from a solar project under development in the same county.

The project still requires state environmental permits and approval from the town planning board.
"""),
)

WIRE2 = {}
WIRE2["shelters"] = dict(
    link="https://northstarwire.example/2026/11/24/cold-snap-shelters",
    headline="Cold snap prompts shelters to open weeks early",
    pubdate="2026-11-24 07:20:00-05:00",
    byline=["Erin Walsh"],
    site="Northstar Wire",
    lang="en",
    crawled="2026-11-24T09:00:00Z",
    body=P("""
Emergency shelters across the region opened their winter beds three weeks ahead of schedule on Tuesday as forecasters predicted overnight temperatures in the single digits for the rest of the week.

The county's largest shelter, run by the Harbor Street Mission, added 60 cots in its gymnasium and extended its hours so that guests can stay indoors during the day. Director Ana Ruiz said every bed was filled by 9 p.m. on Monday.

Outreach workers spent the weekend visiting encampments under highway overpasses and along the river, handing out sleeping bags and hand warmers and urging people to come inside.

"Cold like this can kill someone in a single night," Ruiz said. "Our goal is that nobody is left outside."

County officials said they were also opening two libraries as daytime warming centers and would provide free bus rides to shelters through the end of the week.
"""),
)
WIRE2["tuition"] = dict(
    link="https://northstarwire.example/2026/11/24/university-tuition-freeze",
    headline="State university announces tuition freeze for second year",
    pubdate="2026-11-24 13:00:00-05:00",
    byline="Aaron Pike",
    site="Northstar Wire",
    lang="en",
    crawled="2026-11-24T15:30:00Z",
    body=P("""
The state university system will keep in-state tuition flat for the 2027-28 academic year, its board of trustees decided Tuesday, extending a freeze that began this fall.

Undergraduate tuition will remain at $11,480 a year at the flagship campus and lower at the six regional campuses. Fees for housing and dining, which are set separately, are expected to rise by about 3 percent.

Chancellor Miriam Oduya said the freeze was possible because of a larger state appropriation and cost savings from consolidating administrative offices. "Families told us loud and clear that price is the biggest barrier," she said.

Faculty union leaders said they supported the freeze but warned that it should not come at the expense of salaries or class sizes. Contract talks with the union are scheduled to resume in January.

Out-of-state tuition will rise by 4 percent.
"""),
)
WIRE2["puerto"] = dict(
    link="https://diariodelcabo.example/economia/2026/11/23/puerto-terminal-contenedores",
    headline="El puerto de Valdemar amplía su terminal de contenedores",
    pubdate="2026-11-23 10:00:00+01:00",
    byline=["Lucía Ferrándiz", "Pablo Arenas"],
    site="Diario del Cabo",
    lang="es",
    crawled="2026-11-23T12:10:00Z",
    body=P("""
La Autoridad Portuaria de Valdemar aprobó el lunes la ampliación de la terminal de contenedores, una obra de 86 millones de euros que permitirá duplicar la capacidad del puerto hasta 2030.

El proyecto incluye un nuevo muelle de 450 metros, tres grúas de gran tamaño y una conexión ferroviaria directa con la red de mercancías. Las obras comenzarán el próximo verano y durarán unos tres años.

El presidente del puerto, Ignacio Salvatierra, aseguró que la ampliación es necesaria para atraer a las grandes navieras. «Si no crecemos, los barcos irán a otros puertos del Mediterráneo», afirmó.

Las asociaciones de vecinos del barrio del Molinar han mostrado su preocupación por el aumento del tráfico de camiones y el ruido nocturno. El puerto se ha comprometido a instalar pantallas acústicas y a limitar los horarios de carga.

Según las previsiones, la nueva terminal generará unos 600 empleos directos e indirectos.
"""),
)
WIRE2["buses"] = dict(
    link="https://northstarwire.example/2026/11/25/transit-battery-buses",
    headline="Transit agency tests battery-electric buses on hilly routes",
    pubdate="2026-11-25 08:30:00-05:00",
    byline=["Jamal Price"],
    site="Northstar Wire",
    lang="en",
    crawled="2026-11-25T10:00:00Z",
    body=P("""
The Harbor Transit Authority began a six-month trial of four battery-electric buses on Wednesday, sending them onto some of the steepest routes in its network to see how they handle hills and cold weather.

The buses, leased from two manufacturers, will run on Routes 2 and 7, which climb from the waterfront to the hospital district. Engineers will track battery use, charging times and how often the buses must return to the garage during a shift.

Agency officials said the results would guide a decision on whether to buy up to 40 electric buses over the next five years. Each costs about $1.1 million, roughly twice the price of a diesel bus, though federal grants could cover much of the difference.

"We want to know how these buses perform in February, not just in a brochure," said fleet manager Victor Hale.

Riders will not pay extra to ride the test buses, which are marked with green stripes.
"""),
)

WIRE3 = {}
WIRE3["broadband"] = dict(
    link="https://valleycourier.example/news/2026/11/26/county-broadband-expansion",
    headline="County approves $12 million broadband expansion for rural homes",
    pubdate="2026-11-26 17:00:00-07:00",
    byline=["Hannah Greer"],
    site="Valley Courier",
    lang="en",
    crawled="2026-11-27T03:00:00Z",
    body=P("""
Cedar County commissioners on Thursday approved a $12 million contract to extend high-speed internet to about 3,100 rural homes that now rely on slow satellite or cellular connections.

The project, funded mostly by federal and state grants, will lay roughly 280 miles of fiber-optic cable along county roads over the next two years. Homes will be connected in phases, beginning with the northern townships in the spring.

Commissioner Joan Petrie said the lack of reliable internet had made it difficult for students to complete homework and for residents to work from home or see doctors online. "This is the rural electrification of our time," she said.

The contractor, Summit Fiber, will offer a basic plan of $45 a month, and low-income households may qualify for discounts.

Residents can check whether their address is included on the county's website.
"""),
)
WIRE3["waermepumpen"] = dict(
    link="https://nwn-nachrichten.example/politik/2026-11-26/foerderprogramm-waermepumpen",
    headline="Landesregierung plant Förderprogramm für Wärmepumpen",
    pubdate="2026-11-26 12:00:00+01:00",
    byline="Tobias Lenz",
    site="NWN Nachrichtendienst",
    lang="de",
    crawled="2026-11-26T13:15:00Z",
    body=P("""
Die Landesregierung will den Einbau von Wärmepumpen in älteren Wohngebäuden mit einem eigenen Förderprogramm unterstützen. Insgesamt sollen dafür in den kommenden drei Jahren 150 Millionen Euro bereitstehen.

Hausbesitzer sollen einen Zuschuss von bis zu 6.000 Euro erhalten, wenn sie eine alte Öl- oder Gasheizung ersetzen. Für Haushalte mit geringem Einkommen ist ein zusätzlicher Bonus vorgesehen, teilte das Wirtschaftsministerium mit.

„Wir wollen, dass sich der Umstieg auch für Familien mit kleinem Geldbeutel lohnt“, sagte Wirtschaftsministerin Sabine Krüger. Das Programm ergänzt die bestehende Förderung des Bundes.

Das Handwerk begrüßte die Pläne, warnte aber vor langen Wartezeiten. Viele Betriebe seien bereits bis weit ins kommende Jahr ausgebucht, sagte der Präsident der Handwerkskammer.

Anträge sollen ab dem 1. März gestellt werden können. Die genauen Förderbedingungen will das Ministerium im Januar vorstellen.
"""),
)
WIRE3["artifacts"] = dict(
    link="https://harborledger.example/news/2026/11/museum-returns-artifacts",
    headline="Maritime museum returns ceremonial objects to tribal nation",
    pubdate="2026-11-27 10:30:00-05:00",
    byline=["Maria Okafor"],
    site="The Harbor Ledger",
    lang="en",
    crawled="2026-11-27T18:40:00Z",
    body=P("""
The Maritime Museum returned 27 ceremonial objects to the Wabanaki tribal nation on Friday, ending a two-year review of items that entered the museum's collection in the early 1900s.

The objects, including carved paddles, woven baskets and a birchbark container, were handed over at a private ceremony attended by tribal elders and museum staff. Several had never been displayed publicly.

Museum director Helen Cartwright said research showed the items had been acquired by a collector without the consent of the families who made them. "These objects were never ours to keep," she said.

A tribal spokesperson said the items would be cared for at a cultural center and used in ceremonies and teaching. Some may later be lent back to the museum for a joint exhibition.

The museum said it was reviewing about 300 more items in its collection with similar histories.
"""),
)


# ---------------------------------------------------------------- a small crawl (WARC)
CRAWL = {}

CRAWL["marina"] = dict(
    title="Marina expansion wins approval despite objections from kayak clubs",
    dek="The city will add 120 slips at the East Basin marina, but paddlers say the plan squeezes the only sheltered launch on the waterfront.",
    authors=["Priya Raman"],
    published="2026-11-23T16:40:00-05:00",
    modified="2026-11-23T18:05:00-05:00",
    photo=(
        "Maria Okafor/Harbor Ledger",
        "Kayakers launch from the East Basin ramp on a calm Sunday morning.",
    ),
    body=P("""
The City Council voted 7-2 on Monday to expand the East Basin marina by 120 boat slips, ending a year of hearings in which recreational paddlers, yacht owners and neighbors argued over the last stretch of open water on the inner harbor.

The $9.6 million project, paid for by slip fees and a state boating grant, will extend two floating docks about 300 feet into the basin and add a fuel dock and a pump-out station. Work is scheduled to start in April and finish before the 2028 season.

Members of three kayak and rowing clubs packed the chamber, saying the new docks would crowd the public ramp they use to reach the harbor. "There is nowhere else on this waterfront where a beginner can launch safely," said Alma Reyes, who coaches a youth rowing program. "You are trading that for parking spaces for boats."

Harbor master Glenn Tobias told the council that the design keeps a 60-foot channel clear of the ramp and that a separate launch float for paddlers would be built with the first phase. He said the waiting list for slips has grown to more than 400 names.

The two councilors who voted no said the city should have studied moving the expansion to the North Pier, where the water is deeper. The council agreed to review the paddlers' launch after the first season of operation.
"""),
)

CRAWL["library"] = dict(
    title="Branch library reopens with longer hours and a tool-lending shelf",
    dek="After a two-year renovation, the Fairview branch adds evening hours, study rooms and a collection of drills, saws and sewing machines anyone with a card can borrow.",
    authors=["Daniel Frye", "Lena Ortiz"],
    published="2026-11-24T09:15:00-05:00",
    modified="2026-11-24T09:15:00-05:00",
    photo=(
        "Tom Brandt/Harbor Ledger",
        "Children explore the new reading loft at the Fairview branch library.",
    ),
    body=P("""
The Fairview branch library reopened on Saturday after a two-year renovation that cost $6.1 million and added study rooms, a children's reading loft and a shelf of tools that residents can borrow like books.

Library director Hannah Cole said the branch will now stay open until 9 p.m. four nights a week, up from two, after a survey found that most residents of the neighborhood work during the day. "People told us they wanted a place to go after work and after school," she said.

The tool collection, funded by a neighborhood association grant, includes power drills, a tile saw, ladders, a pressure washer and six sewing machines. Items can be borrowed for a week with a regular library card, and volunteers will run repair workshops on the first Saturday of each month.

The renovation also replaced the building's leaking roof and 1970s heating system and made the entrance accessible for wheelchairs. About 1,500 people visited on the opening day, according to library staff, and more than 200 signed up for new cards.

The branch had operated from a temporary storefront on Main Street during construction. City officials said the same design will be used for the renovation of the Westgate branch, scheduled to start next year.
"""),
)


# ---------------------------------------------------------------- hard cases for the gold set
GOLD = {}

GOLD["bridge"] = dict(
    title="Old swing bridge to close for two years of repairs",
    site="The Estuary Times",
    kicker="EXCLUSIVE",
    authors=["Nadia Brooks", "Owen Pike"],
    byline="By Nadia Brooks and Owen Pike, Staff Writers · nadia.brooks@estuarytimes.example · @owenpike",
    published="2026-11-21T06:45:00-05:00",
    updated_text="Updated November 22, 2026, 9:10 p.m.",
    body=P("""
The century-old swing bridge that carries Route 9 across the Estuary River will close to traffic in March for two years of structural repairs, the state transportation department said on Friday.

Inspectors found corrosion in the pivot bearing and in two of the truss members last spring, and the bridge has since been limited to vehicles under ten tons. Engineers concluded that patching the steel would only buy a few more years.

The $61 million project will replace the bearing, rebuild the deck and restore the control house, which has been listed on the state register of historic places since 1987.

During the closure, drivers will be sent on a detour of about eleven miles through Milford. A free shuttle boat for pedestrians and cyclists will run every twenty minutes from the town landing.

Business owners on both banks said they feared losing customers. "Half my lunch trade walks across that bridge," said Carla Mendes, who runs a sandwich shop near the east approach.
"""),
)

GOLD["wire"] = dict(
    title="Cargo ship refloated after three days aground off Cape Ardent",
    site="Northstar Wire",
    authors=["AP"],
    byline="By AP",
    published="2026-11-22T14:05:00+00:00",
    body=P("""
Salvage crews on Sunday refloated a cargo ship that had been stuck on a sandbar off Cape Ardent since Thursday, the coast guard said, ending a three-day operation that closed the northern shipping lane.

Four tugs pulled the 180-meter vessel free at high tide shortly after dawn. Divers found no breach in the hull, and no fuel leaked into the water, a coast guard spokesperson said.

The ship, carrying containers of furniture and machine parts, ran aground in fog after its crew reported a steering failure. Its 22 crew members stayed aboard throughout.

The vessel will be towed to the port of Haverly for inspection before it is allowed to continue its voyage. Investigators will examine the steering system and the ship's voyage data recorder.
"""),
)

GOLD["lakeside"] = dict(
    title="Night buses return to the east shore after a two-year gap",
    site="Lakeside Gazette",
    kicker="TRANSIT",
    section="Metro",
    authors=["Priya Natarajan", "Tomás Ferreira"],
    byline="By Priya Natarajan and Tomás Ferreira, Correspondents | priya.natarajan@lakesidegazette.example | @tferreira",
    published="2026-11-19T18:30:00+01:00",
    updated="2026-11-20T09:05:00+01:00",
    dek="Three routes will run hourly after midnight from December, paid for by a parking levy the council approved in October.",
    caption="A night bus waits at the Quay Street terminal.",
    credit="Photo: Ines Varga/Lakeside Gazette",
    pullquote="“People who clean offices and bake bread start work when the city is asleep,” said councillor Hanna Lindqvist.",
    body=P("""
Night buses will run again on the east shore from December 7, ending a two-year gap that left shift workers walking home along the lake road or paying for taxis, the regional transit authority said on Thursday.

Three routes will leave the Quay Street terminal every hour between midnight and five in the morning, serving the hospital, the bakery district and the ferry landing. The service was cut in 2024 when the authority could not hire enough drivers.

“People who clean offices and bake bread start work when the city is asleep,” said councillor Hanna Lindqvist, who campaigned for the routes. “They were the first to lose their bus and they should not be the last to get it back.”

The routes will cost about 1.4 million euros a year. They are paid for by a levy on private parking spaces that the council approved in October against the votes of the business association.

The authority said it had hired 22 drivers since the summer and would review ridership after six months.
"""),
)

GOLD["nordsee"] = dict(
    title="Fähre nach Amrumsand fährt wieder nach Fahrplan",
    site="Nordsee-Kurier",
    kicker="Inselverkehr",
    authors=["Katrin Albers", "Jonas Ebert", "dpa"],
    byline="Von Katrin Albers und Jonas Ebert, dpa",
    published="2026-11-18T07:45:00+01:00",
    updated_text="Aktualisiert: 18.11.2026, 16:20 Uhr",
    dek="Nach zwei Wochen mit Ausfällen wegen eines Maschinenschadens ist die Fähre wieder im Takt.",
    caption="Die Fähre im Hafen von Amrumsand. Foto: dpa",
    body=P("""
Die Fähre zwischen Nordhafen und der Insel Amrumsand fährt seit Dienstag wieder nach dem regulären Fahrplan. Das teilte die Reederei am Morgen mit. Zwei Wochen lang waren wegen eines Schadens an einer Antriebswelle täglich mehrere Abfahrten ausgefallen.

Ein Ersatzteil war aus Norwegen geliefert und am Wochenende eingebaut worden. Bei einer Probefahrt am Montag habe die Maschine einwandfrei gearbeitet, sagte ein Sprecher der Reederei.

Auf der Insel hatten vor allem Pendler und Lieferanten unter den Ausfällen gelitten. Der Bürgermeister von Amrumsand forderte die Reederei auf, für solche Fälle ein zweites Schiff bereitzuhalten.

Die Reederei kündigte an, die Fahrkarten der betroffenen Tage zu erstatten. Anträge können bis Ende Dezember gestellt werden.
"""),
)
