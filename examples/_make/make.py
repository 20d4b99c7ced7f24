"""Regenerate the Broadsheet example corpus deterministically.

    .venv/bin/python examples/_make/make.py

Writes examples/html, examples/text, examples/jsonl, examples/warc (README.md is maintained by
hand).
"""

import gzip
import io
import json
import os
import shutil
import sys
from html import escape

import zstandard

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import content as C  # noqa: E402

ROOT = os.path.dirname(HERE)


def out(rel, data):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def gz(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as g:
        g.write(data)
    return buf.getvalue()


def e(s):
    return escape(s, quote=True)


def paras(body, indent="      "):
    return "\n".join(f"{indent}<p>{e(p)}</p>" for p in body)


def and_join(names, word="and"):
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {word} " + names[-1]


# ------------------------------------------------------------------ The Harbor Ledger: JSON-LD NewsArticle
def harbor(a, url, section="News"):
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": a["title"],
        "description": a["dek"],
        "datePublished": a["published"],
        "dateModified": a["modified"],
        "author": [
            {
                "@type": "Person",
                "name": n,
                "url": "https://harborledger.example/staff/" + n.lower().replace(" ", "-"),
            }
            for n in a["authors"]
        ],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": "The Harbor Ledger",
            "logo": {
                "@type": "ImageObject",
                "url": "https://harborledger.example/static/logo-600.png",
            },
        },
        "image": ["https://cdn.harborledger.example/img/2026/11/lead-1200x675.jpg"],
        "articleSection": section,
        "isAccessibleForFree": False,
    }
    b = a["body"]
    mid = len(b) // 2
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(a["title"])} | The Harbor Ledger</title>
<meta name="description" content="{e(a["dek"])}">
<link rel="canonical" href="{e(url)}">
<meta property="og:url" content="{e(url)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{e(a["title"])}">
<link rel="stylesheet" href="/static/css/ledger.min.css?v=4.12.0">
<link rel="icon" href="/favicon.ico">
<script type="application/ld+json">
{json.dumps(ld, ensure_ascii=False, indent=2)}
</script>
<script>window.dataLayer=window.dataLayer||[];dataLayer.push({{"pageType":"article","section":"{section.lower()}","paywall":"metered"}});</script>
</head>
<body class="article-page">
<div id="cookie-consent" class="consent-banner" role="dialog" aria-label="Cookie consent">
  <p>We use cookies and similar technologies to improve your experience, measure audiences and show relevant ads. <a href="/privacy">Privacy policy</a></p>
  <button class="accept">Accept all</button> <button class="reject">Reject non-essential</button> <button class="settings">Manage settings</button>
</div>
<header class="site-header">
  <a class="logo" href="/">The Harbor Ledger</a>
  <nav class="primary-nav" aria-label="Sections">
    <ul>
      <li><a href="/news">News</a></li><li><a href="/business">Business</a></li><li><a href="/opinion">Opinion</a></li>
      <li><a href="/sports">Sports</a></li><li><a href="/weather">Weather</a></li><li><a href="/obituaries">Obituaries</a></li>
    </ul>
  </nav>
  <a class="btn-subscribe" href="/subscribe?ref=header">Subscribe</a> <a class="btn-login" href="/login">Log in</a>
</header>
<main id="content">
  <article class="story">
    <p class="kicker"><a href="/{section.lower()}">{e(section)}</a></p>
    <h1 class="headline">{e(a["title"])}</h1>
    <p class="standfirst">{e(a["dek"])}</p>
    <div class="byline">By {" and ".join(f'<a rel="author" href="/staff/{n.lower().replace(" ", "-")}">{e(n)}</a>' for n in a["authors"])} | Harbor Ledger Staff</div>
    <div class="share-bar">
      <a class="share fb" href="https://facebook.example/share?u={e(url)}">Share on Facebook</a>
      <a class="share x" href="https://x.example/intent?url={e(url)}">Post</a>
      <a class="share mail" href="mailto:?subject={e(a["title"])}">Email</a>
      <button class="share copy">Copy link</button>
    </div>
    <figure class="lead-image">
      <img src="https://cdn.harborledger.example/img/2026/11/lead-1200x675.jpg" alt="" width="1200" height="675">
      <figcaption>{e(a["photo"][1])} <span class="credit">{e(a["photo"][0])}</span></figcaption>
    </figure>
    <div class="story-body">
{paras(b[:mid])}
      <aside class="inline-newsletter">
        <h3>Subscribe to our newsletter</h3>
        <p>Ledger Morning: the day's top local stories in your inbox before 7 a.m.</p>
        <form action="/newsletters/signup" method="post"><input type="email" name="email" placeholder="Your email"><button>Sign up</button></form>
      </aside>
      <p class="read-more"><strong>Read more:</strong> <a href="/news/2026/11/harbor-line-budget">Harbor Line budget gap widens to $6 million</a></p>
{paras(b[mid:])}
    </div>
    <div class="share-bar bottom"><span>Share this article</span> <a href="#">Facebook</a> <a href="#">X</a> <a href="#">LinkedIn</a> <a href="#">Email</a></div>
    <div class="paywall-meter">You've read 2 of 5 free articles this month. <a href="/subscribe?ref=meter">Get unlimited access for $9/month</a>.</div>
  </article>
  <section class="related">
    <h2>Related stories</h2>
    <ul>
      <li><a href="/news/2026/11/island-schools-close">Island schools close as ferries stay docked</a></li>
      <li><a href="/news/2026/11/waterfront-parking-plan">Waterfront parking plan heads to council</a></li>
      <li><a href="/opinion/2026/11/editorial-harbor-future">Editorial: The harbor needs a plan, not a patch</a></li>
    </ul>
  </section>
</main>
<footer class="site-footer">
  <p>&copy; 2026 The Harbor Ledger, 1 Wharf Street. All rights reserved.</p>
  <nav><a href="/about">About us</a> | <a href="/contact">Contact</a> | <a href="/terms">Terms of service</a> | <a href="/privacy">Privacy</a> | <a href="/advertise">Advertise</a></nav>
</footer>
</body>
</html>
"""


# ------------------------------------------------------------------ Valley Courier: og:/article: meta + <time datetime>
def pretty_date(iso):
    months = [
        "Jan.",
        "Feb.",
        "March",
        "April",
        "May",
        "June",
        "July",
        "Aug.",
        "Sept.",
        "Oct.",
        "Nov.",
        "Dec.",
    ]
    y, m, d = iso[:10].split("-")
    hh, mm = int(iso[11:13]), iso[14:16]
    ampm = "a.m." if hh < 12 else "p.m."
    h12 = hh % 12 or 12
    return f"{months[int(m) - 1]} {int(d)}, {y}, {h12}:{mm} {ampm}"


def valley(a, url, source_note=None):
    byline = "By " + and_join(a["authors"])
    if source_note:
        byline += f", {source_note}"
    else:
        byline += ", Valley Courier"
    metas = "\n".join(f'<meta property="article:author" content="{e(n)}">' for n in a["authors"])
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>{e(a["title"])} - Valley Courier</title>
  <meta name="viewport" content="width=device-width,initial-scale=1">
  <meta property="og:type" content="article">
  <meta property="og:site_name" content="Valley Courier">
  <meta property="og:title" content="{e(a["title"])}">
  <meta property="og:description" content="{e(a["dek"])}">
  <meta property="og:url" content="{e(url)}">
  <meta property="og:image" content="https://media.valleycourier.example/2026/11/photo-lead.jpg">
  <meta property="og:locale" content="en_US">
  <meta property="article:published_time" content="{a["published"]}">
  <meta property="article:modified_time" content="{a["modified"]}">
  <meta property="article:section" content="Local">
{metas}
  <meta name="twitter:card" content="summary_large_image">
  <link rel="stylesheet" href="https://static.valleycourier.example/css/main.3f9a1c.css">
</head>
<body>
  <div class="gdpr-bar">This site uses cookies. By continuing to browse you agree to our use of cookies. <a href="/cookies">Learn more</a> <button>OK</button></div>
  <div class="topbar"><span class="weather">Cedar Valley 34&deg;F</span> <a href="/e-edition">E-Edition</a> <a href="/subscribe">Subscribe</a> <a href="/account">My Account</a></div>
  <header><a href="/" class="masthead">Valley Courier</a><p class="tagline">Serving Cedar Valley since 1911</p></header>
  <nav class="menu">
    <a href="/news">Local News</a> <a href="/schools">Schools</a> <a href="/agriculture">Agriculture</a> <a href="/sports">Sports</a>
    <a href="/community">Community</a> <a href="/opinion">Opinion</a> <a href="/classifieds">Classifieds</a> <a href="/obits">Obituaries</a>
  </nav>
  <div id="main" class="container">
    <div class="col-main">
      <h1 class="entry-title">{e(a["title"])}</h1>
      <h2 class="entry-subtitle">{e(a["dek"])}</h2>
      <div class="entry-meta">
        <span class="author">{e(byline)}</span>
        <time class="published" datetime="{a["published"]}">{pretty_date(a["published"])}</time>
        <span class="updated">Updated <time datetime="{a["modified"]}">{pretty_date(a["modified"])}</time></span>
      </div>
      <ul class="social-share">
        <li><a href="#" class="facebook">Facebook</a></li><li><a href="#" class="twitter">Twitter</a></li>
        <li><a href="#" class="email">Email</a></li><li><a href="#" class="print">Print</a></li>
      </ul>
      <div class="wp-caption">
        <img src="https://media.valleycourier.example/2026/11/photo-lead.jpg" alt="{e(a["photo"][1])}">
        <p class="wp-caption-text">{e(a["photo"][1])}</p>
        <p class="photo-credit">Photo: {e(a["photo"][0])}</p>
      </div>
      <div class="entry-content">
{paras(a["body"], "        ")}
      </div>
      <div class="newsletter-box">
        <strong>Subscribe to our newsletter</strong>
        <p>Get the Courier Daily Brief delivered to your inbox every weekday morning.</p>
        <input type="email" placeholder="you@example.com"><button>Sign me up</button>
      </div>
      <div class="read-next">
        <h3>Read more</h3>
        <a href="/news/2026/11/county-budget-hearing">County budget hearing set for Dec. 2</a>
        <a href="/news/2026/11/millerton-water-rates">Millerton water rates to rise 6%</a>
        <a href="/sports/2026/11/bulldogs-advance">Bulldogs advance to state semifinal</a>
      </div>
    </div>
    <aside class="sidebar">
      <h4>Most Read</h4>
      <ol><li><a href="#">Holiday parade route announced</a></li><li><a href="#">New bakery opens on Main</a></li><li><a href="#">Police log: Nov. 10-16</a></li></ol>
      <div class="ad-slot">Advertisement</div>
    </aside>
  </div>
  <footer>
    <p>Valley Courier &middot; 220 N. Main St., Millerton &middot; (555) 010-4400</p>
    <p><a href="/contact">Contact Us</a> &middot; <a href="/privacy">Privacy Policy</a> &middot; <a href="/terms">Terms of Use</a></p>
    <p>Copyright &copy; 2026 Valley Courier. All rights reserved.</p>
  </footer>
</body>
</html>
"""


def valley_nav_only():
    return """<!doctype html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>Local News - Valley Courier</title>
  <meta property="og:site_name" content="Valley Courier">
  <meta property="og:url" content="https://valleycourier.example/news/">
</head>
<body>
  <div class="gdpr-bar">This site uses cookies. <a href="/cookies">Learn more</a> <button>OK</button></div>
  <div class="topbar"><a href="/e-edition">E-Edition</a> <a href="/subscribe">Subscribe</a> <a href="/account">My Account</a></div>
  <header><a href="/" class="masthead">Valley Courier</a></header>
  <nav class="menu">
    <a href="/news">Local News</a> <a href="/schools">Schools</a> <a href="/agriculture">Agriculture</a> <a href="/sports">Sports</a>
    <a href="/community">Community</a> <a href="/opinion">Opinion</a> <a href="/classifieds">Classifieds</a> <a href="/obits">Obituaries</a>
  </nav>
  <nav class="pagination"><a href="/news/page/1">1</a> <a href="/news/page/2">2</a> <a href="/news/page/3">3</a> <a href="/news/page/2">Next &raquo;</a></nav>
  <footer>
    <p><a href="/contact">Contact Us</a> &middot; <a href="/privacy">Privacy Policy</a> &middot; <a href="/terms">Terms of Use</a></p>
    <p>Copyright &copy; 2026 Valley Courier.</p>
  </footer>
</body>
</html>
"""


# ------------------------------------------------------------------ Rheinische Abendpost: canonical with utm_ params
def abendpost(a, canonical, charset="utf-8"):
    byline = "Von " + and_join(a["authors"], "und")
    d = a["published"]
    date_de = f"{int(d[8:10])}.{int(d[5:7])}.{d[:4]}, {d[11:16]} Uhr"
    html = f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="{charset}">
<title>{e(a["title"])} - Rheinische Abendpost</title>
<link rel="canonical" href="{e(canonical)}">
<meta name="author" content="{e(", ".join(a["authors"]))}">
<meta name="date" content="{a["published"]}">
<meta name="last-modified" content="{a["modified"]}">
<meta name="description" content="{e(a["dek"])}">
<meta name="robots" content="index, follow, max-image-preview:large">
<link rel="stylesheet" href="/assets/ra-2026.css">
</head>
<body>
<div class="cmp-overlay" id="consent">
  <h2>Wir respektieren Ihre Privatsphäre</h2>
  <p>Wir und unsere Partner verwenden Cookies, um Inhalte zu personalisieren und Zugriffe zu analysieren. Mit einem Klick auf &bdquo;Akzeptieren&ldquo; stimmen Sie zu.</p>
  <button>Akzeptieren</button> <button>Ablehnen</button> <a href="/datenschutz">Einstellungen</a>
</div>
<div class="page">
<header class="kopf">
  <a class="logo" href="/">Rheinische Abendpost</a>
  <ul class="ressorts">
    <li><a href="/lokales/">Lokales</a></li><li><a href="/politik/">Politik</a></li><li><a href="/wirtschaft/">Wirtschaft</a></li>
    <li><a href="/kultur/">Kultur</a></li><li><a href="/sport/">Sport</a></li><li><a href="/abo/">Abo</a></li>
  </ul>
  <div class="breadcrumb"><a href="/">Startseite</a> &rsaquo; <a href="/lokales/">Lokales</a> &rsaquo; <span>Artikel</span></div>
</header>
<div class="artikel">
  <span class="dachzeile">Lokales</span>
  <h1>{e(a["title"])}</h1>
  <p class="teaser"><strong>{e(a["dek"])}</strong></p>
  <p class="autor">{e(byline)} &middot; <span class="datum">{date_de}</span></p>
  <div class="teilen">Teilen: <a href="#">WhatsApp</a> <a href="#">Facebook</a> <a href="#">E-Mail</a> <a href="#">Link kopieren</a></div>
  <div class="bild">
    <img src="https://bilder.rheinische-abendpost.example/2026/11/aufmacher.jpg" alt="">
    <div class="bildunterschrift">{e(a["photo"][1])} <span class="quelle">{e(a["photo"][0])}</span></div>
  </div>
  <div class="text">
{paras(a["body"], "    ")}
  </div>
  <div class="newsletter">
    <h3>Newsletter abonnieren</h3>
    <p>Die wichtigsten Nachrichten aus der Region jeden Morgen um sieben &ndash; kostenlos in Ihrem Postfach.</p>
    <a href="/newsletter/">Jetzt anmelden</a>
  </div>
  <div class="mehr-zum-thema">
    <h3>Mehr zum Thema</h3>
    <ul>
      <li><a href="/lokales/haushalt-2027-100101.html">Haushalt 2027: Stadt muss sparen</a></li>
      <li><a href="/lokales/baustellen-winter-100177.html">Diese Baustellen bleiben über den Winter</a></li>
    </ul>
  </div>
</div>
<footer class="fuss">
  <p>&copy; 2026 Rheinische Abendpost GmbH &middot; <a href="/impressum">Impressum</a> &middot; <a href="/datenschutz">Datenschutz</a> &middot; <a href="/agb">AGB</a> &middot; <a href="/kontakt">Kontakt</a></p>
</footer>
</div>
</body>
</html>
"""
    if charset != "utf-8":
        # entities above are ASCII; body text must be latin-1 encodable
        return html.encode(charset)
    return html


# ------------------------------------------------------------------ Millbrook Weekly Register: visible byline + textual date only
def millbrook(a):
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Millbrook Weekly Register :: {e(a["title"])}</title>
</head>
<body bgcolor="#ffffff">
<div id="cookienotice" style="background:#eee">We use cookies to keep you logged in and count visitors. <a href="javascript:void(0)">Close</a></div>
<table width="960" align="center" cellpadding="0" cellspacing="0">
<tr><td colspan="2" class="masthead"><a href="/index.html"><b>MILLBROOK WEEKLY REGISTER</b></a><br>
<small>Home | <a href="/news.html">News</a> | <a href="/schools.html">Schools</a> | <a href="/sports.html">Sports</a> | <a href="/calendar.html">Calendar</a> | <a href="/legals.html">Legal Notices</a> | <a href="/subscribe.html">Subscribe</a></small></td></tr>
<tr>
<td width="680" valign="top" class="story">
<font size="5"><b>{e(a["title"])}</b></font><br>
<p class="byline">By {e(and_join(a["authors"]))}<br>{e(a["date_text"])}</p>
<p align="center"><img src="/photos/2026/1117-lead.jpg" width="640"><br>
<i>{e(a["photo"][1])}</i> <small>({e(a["photo"][0])})</small></p>
{paras(a["body"], "")}
<p class="share">Share: <a href="#">Facebook</a> &middot; <a href="#">Email this story</a> &middot; <a href="#">Print</a></p>
<hr>
<p><b>Read more:</b> <a href="/news/1110-select-board.html">Select Board sets hearing on short-term rentals</a> &middot; <a href="/news/1103-election-results.html">Election results: full town-by-town tally</a></p>
</td>
<td width="280" valign="top" class="sidebar">
<div class="box"><b>Subscribe to our newsletter</b><br>The Register in your inbox every Thursday. <a href="/newsletter.html">Sign up free</a></div>
<div class="box"><b>Weekend Calendar</b><br><a href="/calendar.html">Craft fair at the Grange</a><br><a href="/calendar.html">Choir concert, First Church</a></div>
</td>
</tr>
<tr><td colspan="2" class="footer"><small>Millbrook Weekly Register &middot; P.O. Box 41, Millbrook &middot; Copyright 2026. Material may not be republished without permission.</small></td></tr>
</table>
</body>
</html>
"""


# ------------------------------------------------------------------ Le Quotidien du Littoral: og:url/og:title + visible "Par ..." and textual date
def littoral(a, url):
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{e(a["title"])} – Le Quotidien du Littoral</title>
<meta property="og:title" content="{e(a["title"])}">
<meta property="og:url" content="{e(url)}">
<meta property="og:site_name" content="Le Quotidien du Littoral">
<meta name="viewport" content="width=device-width">
</head>
<body>
<div class="bandeau-cookies">En poursuivant votre navigation, vous acceptez l'utilisation de cookies pour la mesure d'audience et la publicité. <button>Tout accepter</button> <button>Continuer sans accepter</button></div>
<header class="entete">
  <a href="/" class="titre-journal">Le Quotidien du Littoral</a>
  <nav><a href="/actualite/">Actualité</a> · <a href="/mer/">Mer</a> · <a href="/economie/">Économie</a> · <a href="/culture/">Culture</a> · <a href="/sports/">Sports</a> · <a href="/abonnement/">S'abonner</a></nav>
</header>
<main>
  <article class="article">
    <h1 class="article__titre">{e(a["title"])}</h1>
    <p class="article__chapo">{e(a["dek"])}</p>
    <div class="article__meta">Par {e(and_join(a["authors"], "et"))} — Publié le {e(a["date_text"])}</div>
    <div class="partage"><a href="#">Partager sur Facebook</a> <a href="#">Partager sur X</a> <a href="#">Envoyer par e-mail</a></div>
    <figure>
      <img src="https://img.quotidien-littoral.example/2026/11/une.jpg" alt="">
      <figcaption>{e(a["photo"][1])} Photo {e(a["photo"][0])}</figcaption>
    </figure>
    <div class="article__corps">
{paras(a["body"])}
    </div>
    <div class="encart-newsletter"><p><strong>Inscrivez-vous à notre newsletter</strong> : l'essentiel de l'actualité du littoral chaque matin.</p><a href="/newsletter/">Je m'inscris</a></div>
    <section class="lire-aussi"><h2>Lire aussi</h2>
      <a href="/mer/2026/11/10/quotas-bar-ligne">Quotas de bar de ligne : les pêcheurs inquiets</a><br>
      <a href="/actualite/2026/11/12/port-travaux-ecluse">Port : les travaux de l'écluse reportés</a>
    </section>
  </article>
</main>
<footer class="pied"><a href="/mentions-legales/">Mentions légales</a> · <a href="/confidentialite/">Confidentialité</a> · <a href="/contact/">Contact</a> · © Le Quotidien du Littoral 2026</footer>
</body>
</html>
"""


# ------------------------------------------------------------------ wire HTML used inside JSONL "content"
def wire_html(a):
    return (
        f'<!DOCTYPE html><html lang="{a["lang"]}"><head><meta charset="utf-8"><title>{e(a["headline"])} | {e(a["site"])}</title></head>'
        f'<body><nav><a href="/">Home</a> <a href="/national">National</a> <a href="/business">Business</a> <a href="/weather">Weather</a></nav>'
        f'<article><h1>{e(a["headline"])}</h1><p class="byline">By {e(and_join(a["byline"] if isinstance(a["byline"], list) else [a["byline"]]))}</p>'
        + "".join(f"<p>{e(p)}</p>" for p in a["body"])
        + '</article><aside class="newsletter">Subscribe to our newsletter for breaking news alerts.</aside>'
        f"<footer>&copy; 2026 {e(a['site'])}. Redistribution prohibited.</footer></body></html>"
    )


def wire_obj(a, html=False, link=None):
    o = {"link": link or a["link"]}
    if html:
        o["content"] = wire_html(a)
    else:
        o["body"] = "\n\n".join(a["body"])
    o.update(
        {
            "headline": a["headline"],
            "pubdate": a["pubdate"],
            "byline": a["byline"],
            "site": a["site"],
            "lang": a["lang"],
            "meta": {"crawled": a["crawled"]},
        }
    )
    return json.dumps(o, ensure_ascii=False)


# ------------------------------------------------------------------ plain-text dump
def text_article(a, footer_sep="\n\n"):
    parts = []
    if a.get("headers"):
        parts.append("\n".join(f"{k}: {v}" for k, v in a["headers"]))
    parts.append(a["title"])
    if a.get("dek"):
        parts.append(a["dek"])
    parts.append(a["photo"][0] + "\n" + a["photo"][1])
    parts.append(a["blurb"])
    parts.extend(a["body"])
    parts.append(footer_sep.join(a["footer"]))
    return "\n\n".join(parts) + "\n"


def main():
    # gold/ keeps its committed baseline.json: its pages are overwritten in place.
    for sub in ("html", "text", "jsonl", "warc"):
        shutil.rmtree(os.path.join(ROOT, sub), ignore_errors=True)
    H = C.HTML

    # The Harbor Ledger
    ferry_url = "https://harborledger.example/news/2026/11/ferry-workers-walk-out"
    out("html/harborledger/ferry-workers-walk-out.html", harbor(H["ferry"], ferry_url))
    out(
        "html/harborledger/ferry-workers-walk-out.saved.html",
        harbor(H["ferry"], ferry_url + "?utm_source=twitter&utm_medium=social#comments"),
    )
    out(
        "html/harborledger/port-seawall-upgrade.html",
        harbor(H["seawall"], "https://harborledger.example/news/2026/11/port-seawall-upgrade"),
    )
    lobster = harbor(
        H["lobster"],
        "https://harborledger.example/business/2026/11/lobster-landings-decline",
        "Business",
    )
    out("html/harborledger/lobster-landings-decline.html.gz", gz(lobster))

    # Valley Courier
    out(
        "html/valleycourier/school-board-four-day-week.html",
        valley(
            H["school"], "https://valleycourier.example/news/2026/11/17/school-board-four-day-week"
        ),
    )
    out(
        "html/valleycourier/apple-harvest-prices.htm",
        valley(
            H["apples"], "https://valleycourier.example/agriculture/2026/11/16/apple-harvest-prices"
        ),
    )
    synd = dict(
        H["seawall"], published="2026-11-19T05:30:00-07:00", modified="2026-11-19T05:30:00-07:00"
    )
    out(
        "html/valleycourier/port-seawall-upgrade-syndicated.html",
        valley(
            synd,
            "https://valleycourier.example/news/2026/11/19/harbor-port-seawall-upgrade",
            "The Harbor Ledger",
        ),
    )

    # Rheinische Abendpost
    ra = "https://rheinische-abendpost.example/lokales/"
    out(
        "html/rheinische-abendpost/radwegenetz-innenstadt.html",
        abendpost(
            H["radwege"],
            ra
            + "radwegenetz-innenstadt-100198.html?utm_source=homepage&utm_medium=teaser&utm_campaign=lokales",
        ),
    )
    out(
        "html/rheinische-abendpost/deichsanierung-verzoegert.html",
        abendpost(H["deich"], ra + "deichsanierung-verzoegert-100203.html", charset="iso-8859-1"),
    )
    out(
        "html/rheinische-abendpost/weihnachtsmaerkte-eroeffnet.html.gz",
        gz(
            abendpost(
                H["maerkte"],
                ra
                + "weihnachtsmaerkte-eroeffnet-100244.html?utm_source=newsletter&utm_medium=email",
            )
        ),
    )

    # Millbrook Weekly Register
    out("html/millbrook-register/library-levy-recount.html", millbrook(H["levy"]))
    fire = millbrook(H["firecompany"])
    out("html/millbrook-register/fire-company-centennial.html.gz", gz(fire))

    # Le Quotidien du Littoral
    out(
        "html/quotidien-littoral/peche-coquilles-reouverture.html",
        littoral(
            H["coquilles"],
            "https://quotidien-littoral.example/mer/2026/11/19/peche-coquilles-reouverture",
        ),
    )
    out(
        "html/quotidien-littoral/tramway-gare-maritime.html",
        littoral(
            H["tramway"],
            "https://quotidien-littoral.example/actualite/2026/11/17/tramway-gare-maritime",
        ),
    )

    # broken inputs
    out("html/broken/empty.html", b"")
    out("html/broken/binary.html", bytes(range(256)) * 20)
    full = gz(lobster)
    out("html/broken/truncated.html.gz", full[: len(full) // 2])
    out("html/broken/nav-only.html", valley_nav_only())

    # ---------------- text dumps
    T = C.TEXT
    out("text/harbor-ledger-compost-pickup.txt", text_article(T["compost"]))
    out("text/valley-courier-airport-routes.txt", text_article(T["airport"], "\n"))
    out("text/millbrook-garage-closure.txt", text_article(T["garage"]))
    out("text/harbor-ledger-bridge-closures-with-headers.txt", text_article(T["bridge"]))
    out("text/valley-courier-pediatric-wing.txt.gz", gz(text_article(T["pediatric"])))
    out("text/digest.txt", "\n=====\n\n".join(text_article(a) for a in C.DIGEST))
    out("text/blank.txt", b"")
    out("text/latin1.txt", text_article(C.LATIN1).encode("cp1252"))

    # ---------------- jsonl
    W = C.WIRE
    lines = [
        wire_obj(W["storm"], html=True),
        wire_obj(W["utility"]),
        '{"link": "https://northstarwire.example/2026/11/20/harbor-tugboat-fire", "headline": "Tugboat fire contained", "body": "A fire aboard a tugboat',
        wire_obj(W["bahnstreik"]),
        "",
        wire_obj(
            W["storm"],
            html=True,
            link="https://northstarwire.example/2026/11/21/storm-power-outages?utm_source=partner&utm_medium=syndication&utm_campaign=nov-storm",
        ),
        json.dumps(
            [
                "https://northstarwire.example/2026/11/21/school-closings",
                "School closings for Saturday",
                "2026-11-21 06:00:00-05:00",
            ]
        ),
        wire_obj(W["greve"]),
        json.dumps(
            {
                "link": "https://northstarwire.example/2026/11/21/photo-gallery-storm-damage",
                "headline": "PHOTOS: Storm damage across the coast",
                "pubdate": "2026-11-21 12:00:00-05:00",
                "byline": "Northstar Wire staff",
                "site": "Northstar Wire",
                "lang": "en",
                "meta": {"crawled": "2026-11-22T01:02:07Z"},
            }
        ),
        wire_obj(W["datacenter"], html=True),
    ]
    out("jsonl/wire.jsonl", "\n".join(lines) + "\n")

    W2 = C.WIRE2
    l2 = [
        wire_obj(W2["shelters"], html=True),
        wire_obj(W2["tuition"]),
        wire_obj(W2["puerto"]),
        wire_obj(W2["buses"], html=True),
    ]
    out("jsonl/wire-2.jsonl.gz", gz("\n".join(l2) + "\n"))

    W3 = C.WIRE3
    l3 = [
        wire_obj(W3["broadband"]),
        wire_obj(W3["waermepumpen"], html=True),
        wire_obj(W3["artifacts"]),
    ]
    out(
        "jsonl/wire-3.jsonl.zst",
        zstandard.ZstdCompressor(level=10).compress(("\n".join(l3) + "\n").encode("utf-8")),
    )

    # ---------------- a small crawl, as a WARC
    crawl(H["ferry"], ferry_url)

    # ---------------- the gold set for `broadsheet eval` (its own folder, not an ingest input)
    gold(H, ferry_url)


def crawl(ferry, ferry_url):
    """One gzipped WARC as a crawler writes it: requests, responses, revisits, images,
    redirects; the last record is cut short (the crawler died mid-write)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    base = "https://harborledger.example/news/2026/11/"
    pages = [
        (
            base + "marina-expansion-approved",
            harbor(C.CRAWL["marina"], base + "marina-expansion-approved"),
        ),
        (
            base + "fairview-library-reopens",
            harbor(C.CRAWL["library"], base + "fairview-library-reopens"),
        ),
        # the same story as html/harborledger/, found again by the crawler: a duplicate
        (ferry_url + "?utm_campaign=rss", harbor(ferry, ferry_url)),
    ]
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    n = 0

    def rid():
        nonlocal n
        n += 1
        return f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>"

    def when(i):
        return f"2026-11-24T20:{5 * i:02d}:00Z"

    info = w.create_warcinfo_record("crawl-2026-11-24.warc.gz", {"software": "broadsheet examples"})
    info.rec_headers.replace_header("WARC-Record-ID", rid())
    info.rec_headers.replace_header("WARC-Date", when(0))
    w.write_record(info)
    for i, (url, html) in enumerate(pages):
        req = StatusAndHeaders(
            f"GET {url} HTTP/1.1", [("Host", "harborledger.example")], is_http_request=True
        )
        w.write_record(
            w.create_warc_record(
                url,
                "request",
                http_headers=req,
                warc_headers_dict={"WARC-Record-ID": rid(), "WARC-Date": when(i)},
            )
        )
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        body = html.encode("utf-8")
        w.write_record(
            w.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=http,
                warc_headers_dict={"WARC-Record-ID": rid(), "WARC-Date": when(i)},
            )
        )
    logo = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
    http = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
    w.write_record(
        w.create_warc_record(
            "https://harborledger.example/static/logo-600.png",
            "response",
            payload=io.BytesIO(logo),
            length=len(logo),
            http_headers=http,
            warc_headers_dict={"WARC-Record-ID": rid(), "WARC-Date": when(4)},
        )
    )
    http = StatusAndHeaders(
        "301 Moved Permanently",
        [("Location", base + "marina-expansion-approved"), ("Content-Length", "0")],
        protocol="HTTP/1.1",
    )
    w.write_record(
        w.create_warc_record(
            base + "marina",
            "response",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=http,
            warc_headers_dict={"WARC-Record-ID": rid(), "WARC-Date": when(5)},
        )
    )
    http = StatusAndHeaders(
        "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
    )
    rev = w.create_revisit_record(
        pages[0][0],
        "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ",
        pages[0][0],
        when(1),
        http_headers=http,
        warc_headers_dict={"WARC-Record-ID": rid(), "WARC-Date": when(6)},
    )
    w.write_record(rev)
    cut_at = len(buf.getvalue())
    last = harbor(C.CRAWL["library"], base + "fairview-library-reopens-updated").encode("utf-8")
    w.write_record(
        w.create_warc_record(
            base + "fairview-library-reopens-updated",
            "response",
            payload=io.BytesIO(last),
            length=len(last),
            http_headers=http,
            warc_headers_dict={"WARC-Record-ID": rid(), "WARC-Date": when(7)},
        )
    )
    data = buf.getvalue()
    out("warc/crawl-2026-11-24.warc.gz", data[: cut_at + (len(data) - cut_at) // 2])


def gold_page(a, url):
    """A page with what gold sets are for: a kicker in the h1, a site name on every title, a
    byline with roles and contacts, an "Updated" line, newsletter residue, a repeated paragraph."""
    body = list(a["body"])
    mid = len(body) // 2
    parts = [f"      <p>{e(p)}</p>" for p in body[:mid]]
    parts.append(
        '      <aside class="newsletter"><p>Get the Morning Tide newsletter: the news you need, delivered by 7 a.m.</p></aside>'
    )
    parts += [f"      <p>{e(p)}</p>" for p in body[mid:]]
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": a["site"]},
            {
                "@type": "NewsArticle",
                "headline": a["title"],
                "datePublished": a["published"],
                "author": [{"@type": "Person", "name": n} for n in a["authors"]]
                if a["authors"] != ["AP"]
                else {"@type": "Organization", "name": "AP"},
            },
        ],
    }
    kicker = f'<span class="kicker">{e(a["kicker"])}</span> ' if a.get("kicker") else ""
    updated = f'<p class="updated">{e(a["updated_text"])}</p>' if a.get("updated_text") else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{e(a["title"])} – {e(a["site"])}</title>
<meta property="og:title" content="{e(a["title"])} | {e(a["site"])}">
<meta property="og:site_name" content="{e(a["site"])}">
<link rel="canonical" href="{e(url)}">
<script type="application/ld+json">{json.dumps(ld)}</script>
</head>
<body>
<header><a href="/">{e(a["site"])}</a> <nav><a href="/news">News</a> <a href="/sports">Sports</a></nav></header>
<main>
  <article>
    <h1>{kicker}{e(a["title"])}</h1>
    <p class="byline">{e(a["byline"])}</p>
    {updated}
    <div class="story">
{chr(10).join(parts)}
    </div>
    <p>Read more: Tide tables for the week ahead</p>
  </article>
</main>
<footer>© 2026 {e(a["site"])}</footer>
</body>
</html>"""


def gold_time_page(a, url):
    """No date in JSON-LD or meta: the publication time is only in the header's <time>, with an
    "Updated" <time> after it and a teaser's <time> in the sidebar; the title's forms disagree
    (kicker and section in <title>, site name in og:title); a byline with roles and contacts;
    a caption with its credit, a pull quote set twice, "Advertisement", "Read more"."""
    body = list(a["body"])
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a["title"],
        "publisher": {"@type": "Organization", "name": a["site"]},
    }
    parts = [f"      <p>{e(p)}</p>" for p in body[:2]]
    parts.append(
        f'      <figure><img src="/img/nightbus.jpg" alt=""><figcaption>{e(a["caption"])} <span class="credit">{e(a["credit"])}</span></figcaption></figure>'
    )
    parts.append('      <div class="ad"><p>Advertisement</p></div>')
    parts += [f"      <p>{e(p)}</p>" for p in body[2:4]]
    parts.append(f'      <blockquote class="pullquote"><p>{e(a["pullquote"])}</p></blockquote>')
    parts += [f"      <p>{e(p)}</p>" for p in body[4:]]
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{e(a["kicker"].title())}: {e(a["title"])} - {e(a["section"])} | {e(a["site"])}</title>
<meta property="og:title" content="{e(a["title"])} | {e(a["site"])}">
<meta property="og:site_name" content="{e(a["site"])}">
<meta name="description" content="{e(a["dek"])}">
<script type="application/ld+json">{json.dumps(ld)}</script>
</head>
<body>
<header class="masthead"><a href="/">{e(a["site"])}</a> <nav><a href="/metro">Metro</a> <a href="/sport">Sport</a></nav></header>
<main>
  <article>
    <header class="article-header">
      <h1><span class="kicker">{e(a["kicker"])}</span> {e(a["title"])}</h1>
      <p class="standfirst">{e(a["dek"])}</p>
      <div class="byline">{e(a["byline"])}</div>
      <p class="dates">Published <time datetime="{a["published"]}">19 November 2026, 18:30</time> · Updated <time class="updated" datetime="{a["updated"]}">20 November 2026, 09:05</time></p>
    </header>
    <div class="article-body">
{chr(10).join(parts)}
    </div>
    <p>Read more: Ferry timetable changes for the winter</p>
    <div class="newsletter"><p>Sign up for the Lakeside Gazette morning briefing, delivered to your inbox.</p></div>
  </article>
  <aside class="related">
    <h2>More from Metro</h2>
    <ul><li><a href="/metro/market-hall">Market hall to reopen in spring</a> <time datetime="2026-11-24T08:00:00+01:00">24 Nov</time></li></ul>
  </aside>
</main>
<footer>© 2026 {e(a["site"])}</footer>
</body>
</html>"""


def gold_meta_page(a, url):
    """No JSON-LD: the publication time only in article:published_time, a visible "Aktualisiert"
    line that must not win, the site name after a dash in og:title and <title>, a kicker, a
    byline with two names and an agency, a photo credit, "Mehr zum Thema", a subscription promo."""
    body = list(a["body"])
    parts = [f"      <p>{e(p)}</p>" for p in body[:2]]
    parts.append(
        f'      <figure><img src="/bilder/faehre.jpg" alt=""><figcaption>{e(a["caption"])}</figcaption></figure>'
    )
    parts.append(
        '      <p class="promo">Jetzt abonnieren und weiterlesen: alle Artikel für 9,99 € im Monat.</p>'
    )
    parts += [f"      <p>{e(p)}</p>" for p in body[2:]]
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>{e(a["kicker"])}: {e(a["title"])} – {e(a["site"])}</title>
<meta property="og:title" content="{e(a["title"])} – {e(a["site"])}">
<meta property="og:site_name" content="{e(a["site"])}">
<meta property="article:published_time" content="{a["published"]}">
<meta name="description" content="{e(a["dek"])}">
</head>
<body>
<div class="kopf"><a href="/">{e(a["site"])}</a></div>
<div class="inhalt">
  <div class="artikel">
    <p class="dachzeile">{e(a["kicker"])}</p>
    <h1>{e(a["title"])}</h1>
    <p class="vorspann"><strong>{e(a["dek"])}</strong></p>
    <p class="autor">{e(a["byline"])}</p>
    <p class="stand">{e(a["updated_text"])}</p>
{chr(10).join(parts)}
    <div class="mehr"><p>Mehr zum Thema</p><p><a href="/inseln/hafen">Hafen Amrumsand wird ausgebaggert</a></p></div>
  </div>
</div>
<div class="fuss">© 2026 {e(a["site"])} · Impressum · Datenschutz</div>
</body>
</html>"""


def gold(H, ferry_url):
    """examples/gold: pages from the example outlets plus two hard cases, with expected results
    in the development corpus's format (index.jsonl, ID.html.gz, ID.expected.json)."""
    pages = [
        ("harbor-ferry", "Harbor Ledger", ferry_url, harbor(H["ferry"], ferry_url), H["ferry"]),
        ("harbor-seawall", "Harbor Ledger", "https://harborledger.example/news/2026/11/port-seawall-upgrade",
         harbor(H["seawall"], "https://harborledger.example/news/2026/11/port-seawall-upgrade"), H["seawall"]),
        ("valley-school", "Valley Courier", "https://valleycourier.example/news/2026/11/17/school-board-four-day-week",
         valley(H["school"], "https://valleycourier.example/news/2026/11/17/school-board-four-day-week"), H["school"]),
        ("abendpost-radwege", "Rheinische Abendpost", "https://rheinische-abendpost.example/lokales/radwegenetz-innenstadt-100198.html",
         abendpost(H["radwege"], "https://rheinische-abendpost.example/lokales/radwegenetz-innenstadt-100198.html"), H["radwege"]),
        ("millbrook-levy", "Millbrook Register", "https://millbrookregister.example/levy", millbrook(H["levy"]), H["levy"]),
        ("littoral-tramway", "Quotidien du Littoral", "https://quotidien-littoral.example/actualite/2026/11/17/tramway-gare-maritime",
         littoral(H["tramway"], "https://quotidien-littoral.example/actualite/2026/11/17/tramway-gare-maritime"), H["tramway"]),
        ("estuary-bridge", "Estuary Times", "https://estuarytimes.example/news/swing-bridge-closure",
         gold_page(C.GOLD["bridge"], "https://estuarytimes.example/news/swing-bridge-closure"), C.GOLD["bridge"]),
        ("northstar-ship", "Northstar Wire", "https://northstarwire.example/2026/11/22/cargo-ship-refloated",
         gold_page(C.GOLD["wire"], "https://northstarwire.example/2026/11/22/cargo-ship-refloated"), C.GOLD["wire"]),
        ("lakeside-nightbus", "Lakeside Gazette", "https://lakesidegazette.example/metro/2026/11/19/night-buses-east-shore",
         gold_time_page(C.GOLD["lakeside"], "https://lakesidegazette.example/metro/2026/11/19/night-buses-east-shore"), C.GOLD["lakeside"]),
        ("nordsee-faehre", "Nordsee-Kurier", "https://nordsee-kurier.example/inseln/faehre-amrumsand-fahrplan-4471.html",
         gold_meta_page(C.GOLD["nordsee"], "https://nordsee-kurier.example/inseln/faehre-amrumsand-fahrplan-4471.html"), C.GOLD["nordsee"]),
    ]  # fmt: skip
    # The page's language, scored by `eval` where the expectation gives one.
    languages = {"abendpost-radwege": "de", "littoral-tramway": "fr", "nordsee-faehre": "de"}
    index = []
    for pid, publisher, url, page, a in pages:
        published = a.get("published")
        if not published:  # a page that gives the day only
            from datetime import datetime

            day, month, year = a["date_text"].replace(",", "").split()[-3:]
            if not day.isdigit():  # "November 17 2026"
                day, month = month, day
            months = ["january", "february", "march", "april", "may", "june", "july", "august",
                      "september", "october", "november", "december"]  # fmt: skip
            fr = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                  "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
            m = (
                months.index(month.lower()) if month.lower() in months else fr.index(month.lower())
            ) + 1
            published = datetime(int(year), m, int(day)).date().isoformat()
        # As in the development corpus, the lead (standfirst) is part of the body.
        summary = [a["dek"]] if a.get("dek") else []
        expected = {
            "id": pid,
            "publisher": publisher,
            "url": url,
            "title": a["title"],
            "authors": a["authors"],
            "published_at": published,
            "language": languages.get(pid, "en"),
            "summary": summary,
            "body_text": "\n\n".join(summary + list(a["body"])),
        }
        out(f"gold/{pid}.html.gz", gz(page))
        out(f"gold/{pid}.expected.json", json.dumps(expected, ensure_ascii=False, indent=2) + "\n")
        index.append(
            json.dumps(
                {"id": pid, "publisher": publisher, "url": url, "crawled_at": "2026-11-25T06:00:00",
                 "html_file": f"{pid}.html.gz", "expected_file": f"{pid}.expected.json"}
            )
        )  # fmt: skip
    out("gold/index.jsonl", "\n".join(index) + "\n")


if __name__ == "__main__":
    main()
