"""A generated archive of developing stories interleaved with unrelated briefings, with the true stories.

Eight stories run over 2020-2021, several at once and some on the same topic
months apart (Idlib in March 2020 and again in February 2021, Lebanon in August
and October 2020), between about 130 one-off briefings on the same broad topics
(Syria, Turkey, Russia, Lebanon, energy, the economy). Tags look like what
``sitegen import`` assigns: the site's topics plus the proper names an article
is about. Which story each file belongs to is known here, not through sitegen,
so tests can score detection.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .helpers import write

ZONE = ZoneInfo("Africa/Cairo")


@dataclass(frozen=True)
class StorySpec:
    key: str
    start: datetime
    days: int
    tags: tuple[str, ...]
    """Carried by nearly every briefing of the story."""
    extra: tuple[str, ...]
    """Each briefing carries a few of these."""
    titles: tuple[str, ...]
    leads: tuple[str, ...]


def _d(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


STORIES = (
    StorySpec("idlib-2020", _d("2020-03-01T10:00"), 24, ("Syria", "Turkey", "Idlib"),
              ("Russia", "Conflict", "Diplomacy", "Refugees", "Hulusi Akar", "Recep Tayyip Erdogan", "M4 highway"),
              ("Turkey launches military operation in Idlib after soldiers killed",
               "Turkish drones strike Syrian army positions around Idlib",
               "Erdogan and Putin to meet in Moscow over Idlib escalation",
               "Russia and Turkey agree Idlib ceasefire in Moscow talks",
               "Idlib ceasefire takes effect at midnight as guns fall quiet",
               "Displaced Idlib families wary of returning despite truce",
               "Turkish and Russian officers negotiate Idlib patrols in Ankara",
               "Russia-Turkey military negotiations on Idlib revealed",
               "First joint patrol on Idlib's M4 highway cut short by protesters",
               "Idlib truce largely holding, Turkish defence ministry says",
               "Second joint patrol on M4 highway in Idlib shortened",
               "Turkey reinforces observation posts along the Idlib ceasefire line"),
              ("Turkish forces and the Syrian army traded fire around Idlib as the ceasefire was tested.",
               "Ankara and Moscow said the Idlib truce agreed in Moscow was holding along the M4 highway.",
               "Defence Minister Hulusi Akar said Turkish troops would stay in Idlib to enforce the ceasefire.",
               "Families displaced by the Idlib offensive crowded camps near the Turkish border.",
               "Russian and Turkish officers met to set the route of joint patrols on the M4 highway in Idlib.")),
    StorySpec("oil-war-2020", _d("2020-03-06T12:00"), 36, ("Energy", "Gulf states", "Russia"),
              ("OPEC", "Saudi Arabia", "Economy", "Aramco", "oil prices"),
              ("OPEC+ talks collapse as Russia rejects deeper oil output cuts",
               "Saudi Arabia slashes crude prices, igniting an oil price war",
               "Oil prices crash 30 percent after Saudi-Russian OPEC+ split",
               "Aramco to raise crude output to record 12.3 million barrels",
               "Russia says it can live with low oil prices for years",
               "Gulf markets tumble as oil price war deepens",
               "OPEC+ calls emergency meeting on oil output as demand collapses",
               "OPEC+ agrees record oil output cut of 9.7 million barrels a day"),
              ("Crude prices fell again as Saudi Arabia and Russia pumped more oil into a market without buyers.",
               "OPEC+ ministers argued over who should cut oil output and by how much.",
               "Aramco said it would supply record volumes of crude from April despite the collapse in prices.",
               "Gulf stock markets slid with oil prices as the price war between Riyadh and Moscow went on.")),
    StorySpec("libya-2020", _d("2020-03-18T09:00"), 22, ("Libya", "Conflict"),
              ("Khalifa Haftar", "Tripoli", "Turkey", "United Nations", "Government of National Accord"),
              ("Haftar forces shell Tripoli despite humanitarian truce call",
               "UN urges Libya ceasefire to fight coronavirus, Haftar ignores it",
               "Government of National Accord launches counter-offensive west of Tripoli",
               "Turkish drones back Tripoli forces against Haftar",
               "Haftar's forces lose coastal towns west of Tripoli",
               "Tripoli hospital hit as fighting with Haftar forces rages",
               "Libya's Government of National Accord rejects Haftar Ramadan truce"),
              ("Fighting around Tripoli intensified as forces loyal to Khalifa Haftar shelled the capital.",
               "The Government of National Accord said its forces had pushed Haftar's fighters back from Tripoli.",
               "The United Nations mission in Libya called again for a humanitarian truce around Tripoli.")),
    StorySpec("beirut-2020", _d("2020-08-04T19:00"), 20, ("Lebanon", "Beirut"),
              ("Hassan Diab", "Michel Aoun", "Beirut port", "Economy", "France", "Emmanuel Macron"),
              ("Huge explosion at Beirut port kills dozens and wounds thousands",
               "Beirut blast: ammonium nitrate stored at port for six years",
               "Macron visits Beirut blast site and promises aid",
               "Protesters storm ministries in Beirut after port explosion",
               "Lebanese prime minister Hassan Diab resigns over Beirut blast",
               "Donors pledge emergency aid for Beirut at Paris conference",
               "Beirut port officials detained over ammonium nitrate blast",
               "Fire breaks out at Beirut port weeks after the explosion"),
              ("The explosion at the Beirut port destroyed the grain silos and damaged half the city.",
               "Investigators said 2,750 tonnes of ammonium nitrate had been stored at the Beirut port.",
               "Anger over the Beirut blast turned on the political class in Lebanon.",
               "Aid flights landed in Beirut as hospitals struggled with the wounded from the port explosion.")),
    StorySpec("lebanon-cabinet-2020", _d("2020-10-08T11:00"), 18, ("Lebanon",),
              ("Saad Hariri", "Michel Aoun", "Economy", "France", "Mustapha Adib"),
              ("Saad Hariri says he is ready to form a Lebanese cabinet",
               "Aoun postpones parliamentary consultations on new prime minister",
               "Lebanese parliament names Saad Hariri prime minister designate",
               "Hariri begins talks to form cabinet of specialists",
               "Hariri and Aoun at odds over cabinet portfolios"),
              ("Saad Hariri met President Michel Aoun to discuss the shape of a new cabinet.",
               "Lebanese parties argued over who would hold the finance ministry in Hariri's cabinet.",
               "France pressed Lebanese leaders to form a cabinet able to carry out reforms.")),
    StorySpec("gerd-2020", _d("2020-06-20T13:00"), 26, ("Egypt", "Ethiopia", "Grand Ethiopian Renaissance Dam"),
              ("Sudan", "Nile", "African Union", "Diplomacy", "Water"),
              ("Egypt asks UN Security Council to intervene in Nile dam dispute",
               "African Union to mediate Ethiopia dam talks with Egypt and Sudan",
               "Ethiopia says it will fill Renaissance Dam reservoir within weeks",
               "Dam talks between Egypt, Ethiopia and Sudan end without deal",
               "Satellite images show Ethiopian dam reservoir filling",
               "Ethiopia confirms first filling of the Renaissance Dam"),
              ("Cairo says the dam on the Blue Nile threatens Egypt's water supply.",
               "Ethiopia, Egypt and Sudan resumed talks on filling and operating the Renaissance Dam.",
               "The African Union urged the three Nile countries to reach a deal on the dam.")),
    StorySpec("soleimani-2020", _d("2020-01-03T02:00"), 12, ("Iran", "United States", "Qasem Soleimani"),
              ("Iraq", "Conflict", "Baghdad", "Donald Trump", "Ali Khamenei"),
              ("US strike at Baghdad airport kills Iranian general Qasem Soleimani",
               "Iran vows harsh revenge for Soleimani killing",
               "Huge crowds mourn Soleimani in Tehran",
               "Iran fires missiles at US bases in Iraq in retaliation for Soleimani",
               "Iran admits it shot down Ukrainian airliner after Soleimani retaliation",
               "Trump announces new sanctions on Iran after missile strikes"),
              ("The killing of Qasem Soleimani at Baghdad airport raised fears of war between Iran and the United States.",
               "Iran's leaders promised revenge for the death of Soleimani.",
               "US forces in Iraq were put on alert after Iranian threats over Soleimani.")),
    StorySpec("idlib-2021", _d("2021-02-10T08:00"), 15, ("Syria", "Idlib"),
              ("Turkey", "Conflict", "Refugees", "Hayat Tahrir al-Sham", "Russia"),
              ("Russian air strikes hit Idlib villages, breaking months of calm",
               "Idlib rescuers pull survivors from rubble after air raids",
               "Winter storms flood Idlib camps as shelling resumes",
               "Turkey warns Damascus over renewed Idlib shelling",
               "Idlib hospital knocked out of service by artillery fire"),
              ("Shelling returned to southern Idlib after months of relative calm.",
               "Rescuers in Idlib said air strikes had hit villages and a market.",
               "Families in Idlib camps faced floods and renewed bombardment.")),
)

NOISE_PLACES = ("Morocco", "Tunisia", "Jordan", "Kuwait", "Oman", "Algeria", "Sudan", "Iraq", "Qatar", "Bahrain",
                "Mauritania", "Somalia", "Syria", "Turkey", "Russia", "Lebanon", "Egypt", "Iran", "Saudi Arabia",
                "Yemen")
NOISE_EVENTS = (
    ("central bank holds interest rates steady", "Economy"), ("parliament approves next year's budget", "Economy"),
    ("opens its largest solar power plant", "Energy"), ("reports a record wheat harvest", "Agriculture"),
    ("hosts regional football final", "Sport"), ("launches polio vaccination drive", "Health"),
    ("signs trade deal with Japan", "Trade"), ("unveils plan to cut youth unemployment", "Economy"),
    ("names new ambassador to Brazil", "Diplomacy"), ("museum returns looted antiquities", "Culture"),
    ("schools reopen after winter holiday", "Education"), ("tightens rules on plastic bags", "Environment"),
    ("court jails former mayor for graft", "Justice"), ("locust swarms damage crops", "Agriculture"),
    ("inflation eases for third month", "Economy"), ("national airline orders new jets", "Aviation"),
    ("film festival opens with record entries", "Culture"), ("floods cut roads in the south", "Weather"),
    ("launches first satellite", "Science"), ("bans fishing during spawning season", "Environment"),
    ("new metro line opens in the capital", "Transport"), ("heatwave pushes power demand to record", "Energy"),
    ("teachers strike over pay", "Labour"), ("raises minimum wage", "Labour"), ("census results published", "Society"),
    ("earthquake shakes northern towns, no casualties", "Weather"), ("stock exchange lists first green bond", "Economy"),
    ("opens free trade zone on the coast", "Trade"), ("archaeologists find Roman mosaic", "Culture"),
    ("doctors warn of measles rise", "Health"), ("telecoms regulator auctions 5G spectrum", "Technology"),
    ("government bans single-use plastics", "Environment"), ("grain imports rise after drought", "Agriculture"),
    ("desalination plant starts supplying capital", "Water"), ("women's football league kicks off", "Sport"),
    ("king pardons hundreds of prisoners", "Justice"), ("wildfire contained after three days", "Weather"),
    ("currency slides to new low against dollar", "Economy"), ("tourism revenue rebounds", "Economy"),
    ("pilgrims return home after hajj", "Religion"), ("new cabinet sworn in after reshuffle", "Politics"),
    ("startup raises record venture funding", "Technology"), ("highway toll prices rise", "Transport"),
    ("phosphate exports hit five-year high", "Trade"), ("book fair draws record crowds", "Culture"),
    ("cyberattack disrupts ministry websites", "Technology"), ("bird flu found on poultry farm", "Health"),
    ("coastal erosion threatens fishing village", "Environment"), ("opposition leader released on bail", "Politics"),
    ("marathon winner sets course record", "Sport"), ("petrol prices cut by a tenth", "Energy"),
)
NOISE_BODY = ("Officials said the decision followed months of preparation.",
              "Local media reported mixed reactions from residents.",
              "Analysts expect further announcements before the end of the year.",
              "The ministry published the figures on its website on Sunday.")
AUTHORS = ("Nawal Sayed", "Mohamed Wadie", "Sara Khalil", "Omar Farouk", "Leila Haddad")


@dataclass(frozen=True)
class Generated:
    """One briefing file and the story it truly belongs to (None: unrelated)."""

    rel: str
    story: str | None
    date: datetime
    title: str


def _write(content: Path, name: str, story: str | None, title: str, moment: datetime, author: str, tags: list[str],
           body: str) -> Generated:
    """One briefing file of the archive, in its month's folder, and the truth about it."""
    rel = f"content/briefings/{moment:%Y/%m}/{name}.md"
    quoted = ", ".join(f'"{t}"' for t in tags)
    write(content.parent / rel, f'---\ntitle: "{title}"\ndate: {moment.isoformat()}\nauthor: {author}\n'
                                f'tags: [{quoted}]\n---\n\n{body}')
    return Generated(rel, story, moment, title)


def generate(content: Path, seed: int = 16, noise: int = 130) -> list[Generated]:
    """Write the archive's Markdown files under ``content/briefings`` and return the truth about each."""
    rng = random.Random(seed)
    made: list[Generated] = []
    for spec in STORIES:
        offsets = _spread(rng, len(spec.titles), spec.days)
        for number, (title, offset) in enumerate(zip(spec.titles, offsets, strict=True)):
            moment = (spec.start + timedelta(days=offset, minutes=rng.randrange(600))).replace(microsecond=0)
            tags = [*spec.tags, *rng.sample(spec.extra, rng.randint(1, 3))]
            if rng.random() < 0.15:  # an importer sometimes misses one of the core topics
                tags.remove(rng.choice(spec.tags))
            lead, *rest = rng.sample(spec.leads, min(3, len(spec.leads)))
            body = f"{lead}\n\n" + "\n\n".join([*rest, rng.choice(NOISE_BODY)]) + "\n"
            made.append(_write(content, f"{spec.key}-{number:02d}", spec.key, title, moment, rng.choice(AUTHORS),
                               tags, body))
    start, end = _d("2020-01-01T08:00"), _d("2021-03-05T08:00")
    moments = sorted((start + (end - start) * rng.random()).replace(microsecond=0, second=0) for _ in range(noise))
    last_used: dict[str, datetime] = {}
    for number, moment in enumerate(moments):
        # one-off news: the same kind of event comes back, but not within weeks (that would be a story)
        fresh = [e for e in NOISE_EVENTS if moment - last_used.get(e[0], start - timedelta(days=999)) > timedelta(days=60)]
        event, topic = rng.choice(fresh)
        last_used[event] = moment
        place = rng.choice(NOISE_PLACES)
        title = f"{place} {event}"
        title = title[0].upper() + title[1:]
        body = f"{place} {event}, officials said on {moment:%A}.\n\n{rng.choice(NOISE_BODY)}\n"
        made.append(_write(content, f"noise-{number:03d}", None, title, moment, rng.choice(AUTHORS), [place, topic],
                           body))
    return made


def _spread(rng: random.Random, count: int, days: int, most_apart: float = 9.0) -> list[float]:
    """``count`` day offsets from 0 to ``days``, sorted, no two neighbours more than ``most_apart`` days apart."""
    while True:
        offsets = [0.0, *sorted(rng.uniform(0, days) for _ in range(count - 2)), float(days)]
        if all(b - a <= most_apart for a, b in itertools.pairwise(offsets)):
            return offsets


def pair_scores(truth: dict[str, str | None], found: dict[str, str | None]) -> tuple[float, float]:
    """Pairwise precision and recall: of briefing pairs put in one story, how many truly share one, and back."""
    rels = sorted(truth)
    true_pairs = {(a, b) for a, b in itertools.combinations(rels, 2) if truth[a] and truth[a] == truth[b]}
    found_pairs = {(a, b) for a, b in itertools.combinations(rels, 2) if found.get(a) and found.get(a) == found.get(b)}
    hits = len(true_pairs & found_pairs)
    return (hits / len(found_pairs) if found_pairs else 0.0), (hits / len(true_pairs) if true_pairs else 0.0)
