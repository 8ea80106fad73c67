"""Words and number/date formats of report.html, per report language (nl, de, ru, en).

Every language has every key of EN (a test holds them to it), so a Russian report shows no English
fallback; an unsupported language code gets English. The strings the page's script needs go into the
page as JSON from these same dicts (`script_strings`), so the template and the script share one source.
Counted phrases are written "label: n" where a language would otherwise need plural forms.
"""
from __future__ import annotations

import math
from collections import ChainMap
from datetime import datetime

EN = {
    "title": "Total Experience feedback report",
    "run": "Run", "created": "created", "version": "txnlp",
    "contents": "Contents",
    "summary": "Run summary", "rows_in": "rows in", "rows_out": "comments processed",
    "rows_quarantined": "rows quarantined", "themes": "themes", "unthemed_count": "not in any theme",
    "too_few_comments": "Too few comments in this run to form themes (fewer than {need}): every comment is counted as not in any theme.",
    "quarantine_reasons": "Quarantine reasons", "reason": "Reason", "rows": "Rows", "no_quarantine": "No rows quarantined.",
    "inputs": "Inputs", "file": "File", "models": "Models used", "redactions": "Redactions",
    "kpi_pillar": "KPIs per TX pillar", "kpi_other": "KPIs per silo, channel and language",
    "kpi_trend": "Trend over past nights", "one_night": "Only one night in the history so far: the lines grow with every nightly run.",
    "pillar": "Pillar", "audience": "Silo", "channel": "Channel", "language": "Language", "theme": "Theme",
    "volume": "Comments", "share_negative": "Negative", "share_neutral": "Neutral", "share_positive": "Positive",
    "net_sentiment": "Net sentiment", "mean_sentiment": "Mean score", "nps": "NPS", "csat": "CSAT",
    "small_n": "small sample (n below {min_n}): read with care",
    "negative": "negative", "neutral": "neutral", "positive": "positive", "unknown": "unknown",
    "negative_count": "{n} negative",
    "chart_sentiment_pillar": "Sentiment per pillar (% of comments)", "chart_trend_net": "Net sentiment per pillar (points)",
    "chart_trend_nps": "NPS per pillar (points)", "chart_silos": "Negative comments per silo",
    "chart_nine": "Promoters and detractors per theme (comments)",
    "pain_points": "Shared pain points", "pain_points_intro": "Ranked by negative volume times spread over silos, pillars, channels and languages. Quotes are the most negative comments of each silo, side by side.",
    "shared_flag": "shared by several silos", "single_flag": "one silo",
    "negative_of": "{neg} negative of {n}", "score": "score", "size": "Size",
    "why": "Why here",
    "why_negative": "{neg} of {n} comments negative", "why_by_silo": "negative by silo: {silos}",
    "why_spread": "pillars: {pillars}, channels: {channels}, languages: {languages}",
    "why_link": "employees and customers both complain (EX-CX link)",
    "incoherent": "incoherent: read with care", "coherence": "coherence {value}",
    "unthemed": "not in any theme",
    "ex_cx": "Where employees and customers meet (EX to CX)",
    "ex_cx_intro": "Themes with at least {n} negative comments from employees and {n} from customers: what staff struggle with, next to what customers feel.",
    "employees": "Employees", "customers": "Customers", "no_ex_cx": "No theme has at least {n} negative comments from both employees and customers in this run.",
    "emerging": "Emerging themes", "no_emerging": "No theme is flagged as emerging in this run.",
    "all_themes": "All themes", "all_themes_intro": "Click a column header to sort, a theme to read its comments. Keywords are computed per language.",
    "rank": "Rank", "keywords": "Keywords per language", "silos": "Silos", "languages": "Languages",
    "nine_plus": "The 9+ view: exceptional experiences", "nine_plus_intro": "What promoters (score 9-10) talk about, next to what detractors (0-6) talk about. Share = part of all promoters (or detractors) whose comment is in the theme.",
    "promoters": "Promoters (9-10)", "detractors": "Detractors (0-6)", "share": "Share", "quote": "Quote",
    "no_scores": "No row carries a 0-10 score in this run.",
    "filters": "Filters", "filter_all": "all", "filter_reset": "Show all",
    "filter_note": "Filters apply to the themes, the pain points and the comments; KPI tables and charts show the whole run.",
    "filter_status": "Themes shown: {themes} · comments: {comments}",
    "filter_match": "matching the filters: {n} of {size}",
    "filter_nothing": "No theme matches the filters.",
    "read_comments": "Read the comments",
    "comment_id": "Id", "comment_text": "Comment", "sentiment": "Sentiment", "close": "Close",
    "comments_shown": "Comments shown: {shown} of {total}, most negative first.",
    "comments_capped": "The report holds at most {cap} comments per theme; all of them are in comments.parquet.",
    "comments_none": "No comment of this theme matches the filters.",
    "method": "Method notes",
    "method_items": [
        "Text is redacted (e-mail, phone, IBAN, card, URL, introduced names) before it is embedded or stored; quotes here are redacted text.",
        "Sentiment per comment comes from a linear head on multilingual sentence embeddings. Score = P(positive) − P(negative), from −1 to 1; the mean score is its average.",
        "Negative / neutral / positive: the share of a group's comments with that label. Net sentiment = % positive − % negative, in points.",
        "NPS = % promoters (9-10) − % detractors (0-6) among comments scored on the 0-10 scale, from −100 to 100. CSAT = % of comments scored 4-5 among those scored on the 1-5 scale. A row's scale comes from its score_scale column, else the configured scale for its source or silo, else the default (report.default_score_scale); scores outside the scale count as missing.",
        "n is the number of comments a figure is computed on. Figures with n below {min_n} are greyed and marked, never hidden.",
        "Themes are clusters of the embeddings across languages and silos; keywords are class-based TF-IDF per language. A comment that fits no theme is counted as not in any theme and never ranked; a theme whose comments are hardly more alike than the run as a whole is marked incoherent.",
        "Shared pain point score = negative comments × (1 + spread over silos, pillars, channels and languages, weighted).",
        "Trends read kpi_history/: one partition per night; a rerun of a night replaces it.",
        "The filters and the comments work inside this file, with no network: it holds up to {cap} comments per theme (most negative first, spread over silos, pillars, languages and channels) and every theme's counts.",
    ],
    "generated": "Generated from the run's output files; rebuild with `txnlp report --run DIR`.",
}

NL = {
    "title": "Total Experience-feedbackrapport",
    "run": "Run", "created": "gemaakt", "version": "txnlp",
    "contents": "Inhoud",
    "summary": "Samenvatting van de run", "rows_in": "rijen ingelezen", "rows_out": "reacties verwerkt",
    "rows_quarantined": "rijen in quarantaine", "themes": "thema's", "unthemed_count": "in geen enkel thema",
    "too_few_comments": "Te weinig reacties in deze run om thema's te vormen (minder dan {need}): elke reactie telt als in geen enkel thema.",
    "quarantine_reasons": "Redenen voor quarantaine", "reason": "Reden", "rows": "Rijen", "no_quarantine": "Geen rijen in quarantaine.",
    "inputs": "Invoer", "file": "Bestand", "models": "Gebruikte modellen", "redactions": "Weggelakte gegevens",
    "kpi_pillar": "KPI's per TX-pijler", "kpi_other": "KPI's per silo, kanaal en taal",
    "kpi_trend": "Verloop over eerdere nachten", "one_night": "Nog maar één nacht in de historie: de lijnen groeien met elke nachtelijke run.",
    "pillar": "Pijler", "audience": "Silo", "channel": "Kanaal", "language": "Taal", "theme": "Thema",
    "volume": "Reacties", "share_negative": "Negatief", "share_neutral": "Neutraal", "share_positive": "Positief",
    "net_sentiment": "Netto sentiment", "mean_sentiment": "Gemiddelde score", "nps": "NPS", "csat": "CSAT",
    "small_n": "kleine steekproef (n onder {min_n}): lees met zorg",
    "negative": "negatief", "neutral": "neutraal", "positive": "positief", "unknown": "onbekend",
    "negative_count": "{n} negatief",
    "chart_sentiment_pillar": "Sentiment per pijler (% van de reacties)", "chart_trend_net": "Netto sentiment per pijler (punten)",
    "chart_trend_nps": "NPS per pijler (punten)", "chart_silos": "Negatieve reacties per silo",
    "chart_nine": "Promotors en criticasters per thema (reacties)",
    "pain_points": "Gedeelde pijnpunten", "pain_points_intro": "Gerangschikt op negatief volume maal de spreiding over silo's, pijlers, kanalen en talen. De citaten zijn de meest negatieve reacties van elke silo, naast elkaar.",
    "shared_flag": "gedeeld door meerdere silo's", "single_flag": "één silo",
    "negative_of": "{neg} negatief van {n}", "score": "score", "size": "Omvang",
    "why": "Waarom hier",
    "why_negative": "{neg} van {n} reacties negatief", "why_by_silo": "negatief per silo: {silos}",
    "why_spread": "pijlers: {pillars}, kanalen: {channels}, talen: {languages}",
    "why_link": "medewerkers en klanten klagen allebei (EX-CX-verband)",
    "incoherent": "incoherent: lees met zorg", "coherence": "samenhang {value}",
    "unthemed": "in geen enkel thema",
    "ex_cx": "Waar medewerkers en klanten elkaar raken (EX naar CX)",
    "ex_cx_intro": "Thema's met minstens {n} negatieve reacties van medewerkers en {n} van klanten: waar het personeel mee worstelt, naast wat klanten voelen.",
    "employees": "Medewerkers", "customers": "Klanten", "no_ex_cx": "Geen thema heeft in deze run minstens {n} negatieve reacties van zowel medewerkers als klanten.",
    "emerging": "Opkomende thema's", "no_emerging": "Geen thema is in deze run als opkomend gemarkeerd.",
    "all_themes": "Alle thema's", "all_themes_intro": "Klik op een kolomkop om te sorteren, op een thema om de reacties te lezen. Trefwoorden worden per taal berekend.",
    "rank": "Rang", "keywords": "Trefwoorden per taal", "silos": "Silo's", "languages": "Talen",
    "nine_plus": "De 9+-blik: uitzonderlijke ervaringen", "nine_plus_intro": "Waar promotors (score 9-10) over praten, naast waar criticasters (0-6) over praten. Aandeel = het deel van alle promotors (of criticasters) van wie de reactie in het thema valt.",
    "promoters": "Promotors (9-10)", "detractors": "Criticasters (0-6)", "share": "Aandeel", "quote": "Citaat",
    "no_scores": "Geen enkele rij heeft in deze run een score op de schaal 0-10.",
    "filters": "Filters", "filter_all": "alle", "filter_reset": "Alles tonen",
    "filter_note": "De filters gelden voor de thema's, de pijnpunten en de reacties; KPI-tabellen en grafieken tonen de hele run.",
    "filter_status": "Getoonde thema's: {themes} · reacties: {comments}",
    "filter_match": "passend bij de filters: {n} van {size}",
    "filter_nothing": "Geen thema past bij de filters.",
    "read_comments": "Lees de reacties",
    "comment_id": "Id", "comment_text": "Reactie", "sentiment": "Sentiment", "close": "Sluiten",
    "comments_shown": "Getoonde reacties: {shown} van {total}, meest negatieve eerst.",
    "comments_capped": "Het rapport bevat hoogstens {cap} reacties per thema; ze staan allemaal in comments.parquet.",
    "comments_none": "Geen reactie van dit thema past bij de filters.",
    "method": "Toelichting op de methode",
    "method_items": [
        "Tekst wordt weggelakt (e-mail, telefoon, IBAN, kaart, URL, genoemde namen) voordat hij wordt ingebed of opgeslagen; de citaten hier zijn weggelakte tekst.",
        "Het sentiment per reactie komt van een lineaire kop op meertalige zinsembeddings. Score = P(positief) − P(negatief), van −1 tot 1; de gemiddelde score is het gemiddelde daarvan.",
        "Negatief / neutraal / positief: het aandeel van de reacties van een groep met dat label. Netto sentiment = % positief − % negatief, in punten.",
        "NPS = % promotors (9-10) − % criticasters (0-6) onder de reacties met een score op de schaal 0-10, van −100 tot 100. CSAT = % reacties met score 4-5 onder die met een score op de schaal 1-5. De schaal van een rij komt uit de kolom score_scale, anders uit de ingestelde schaal voor de bron of de silo, anders uit de standaard (report.default_score_scale); scores buiten de schaal tellen als ontbrekend.",
        "n is het aantal reacties waarop een cijfer berekend is. Cijfers met n onder {min_n} zijn grijs en gemarkeerd, nooit verborgen.",
        "Thema's zijn clusters van de embeddings over talen en silo's heen; trefwoorden zijn klassegebaseerde TF-IDF per taal. Een reactie die in geen enkel thema past, telt als 'in geen enkel thema' en wordt nooit gerangschikt; een thema waarvan de reacties nauwelijks meer op elkaar lijken dan de hele run, is als incoherent gemarkeerd.",
        "Score van een gedeeld pijnpunt = negatieve reacties × (1 + gewogen spreiding over silo's, pijlers, kanalen en talen).",
        "Trends lezen kpi_history/: één partitie per nacht; een herhaalde run van een nacht vervangt die.",
        "De filters en de reacties werken binnen dit bestand, zonder netwerk: het bevat tot {cap} reacties per thema (meest negatieve eerst, verdeeld over silo's, pijlers, talen en kanalen) en de aantallen van elk thema.",
    ],
    "generated": "Gemaakt uit de uitvoerbestanden van de run; opnieuw bouwen met `txnlp report --run DIR`.",
}

DE = {
    "title": "Total-Experience-Feedbackbericht",
    "run": "Lauf", "created": "erstellt", "version": "txnlp",
    "contents": "Inhalt",
    "summary": "Zusammenfassung des Laufs", "rows_in": "Zeilen eingelesen", "rows_out": "Kommentare verarbeitet",
    "rows_quarantined": "Zeilen in Quarantäne", "themes": "Themen", "unthemed_count": "in keinem Thema",
    "too_few_comments": "Zu wenige Kommentare in diesem Lauf, um Themen zu bilden (weniger als {need}): jeder Kommentar zählt als in keinem Thema.",
    "quarantine_reasons": "Quarantänegründe", "reason": "Grund", "rows": "Zeilen", "no_quarantine": "Keine Zeilen in Quarantäne.",
    "inputs": "Eingaben", "file": "Datei", "models": "Verwendete Modelle", "redactions": "Schwärzungen",
    "kpi_pillar": "KPIs je TX-Säule", "kpi_other": "KPIs je Silo, Kanal und Sprache",
    "kpi_trend": "Verlauf über frühere Nächte", "one_night": "Bisher nur eine Nacht in der Historie: Die Linien wachsen mit jedem nächtlichen Lauf.",
    "pillar": "Säule", "audience": "Silo", "channel": "Kanal", "language": "Sprache", "theme": "Thema",
    "volume": "Kommentare", "share_negative": "Negativ", "share_neutral": "Neutral", "share_positive": "Positiv",
    "net_sentiment": "Netto-Stimmung", "mean_sentiment": "Mittlerer Wert", "nps": "NPS", "csat": "CSAT",
    "small_n": "kleine Stichprobe (n unter {min_n}): mit Vorsicht lesen",
    "negative": "negativ", "neutral": "neutral", "positive": "positiv", "unknown": "unbekannt",
    "negative_count": "{n} negativ",
    "chart_sentiment_pillar": "Stimmung je Säule (% der Kommentare)", "chart_trend_net": "Netto-Stimmung je Säule (Punkte)",
    "chart_trend_nps": "NPS je Säule (Punkte)", "chart_silos": "Negative Kommentare je Silo",
    "chart_nine": "Promotoren und Kritiker je Thema (Kommentare)",
    "pain_points": "Gemeinsame Schmerzpunkte", "pain_points_intro": "Gereiht nach negativem Volumen mal Streuung über Silos, Säulen, Kanäle und Sprachen. Die Zitate sind die negativsten Kommentare jedes Silos, nebeneinander.",
    "shared_flag": "von mehreren Silos geteilt", "single_flag": "ein Silo",
    "negative_of": "{neg} negativ von {n}", "score": "Wert", "size": "Größe",
    "why": "Warum hier",
    "why_negative": "{neg} von {n} Kommentaren negativ", "why_by_silo": "negativ je Silo: {silos}",
    "why_spread": "Säulen: {pillars}, Kanäle: {channels}, Sprachen: {languages}",
    "why_link": "Mitarbeitende und Kunden beklagen sich beide (EX-CX-Verbindung)",
    "incoherent": "inkohärent: mit Vorsicht lesen", "coherence": "Kohärenz {value}",
    "unthemed": "in keinem Thema",
    "ex_cx": "Wo Mitarbeitende und Kunden sich treffen (EX zu CX)",
    "ex_cx_intro": "Themen mit mindestens {n} negativen Kommentaren von Mitarbeitenden und {n} von Kunden: womit das Personal kämpft, neben dem, was Kunden erleben.",
    "employees": "Mitarbeitende", "customers": "Kunden", "no_ex_cx": "Kein Thema hat in diesem Lauf mindestens {n} negative Kommentare sowohl von Mitarbeitenden als auch von Kunden.",
    "emerging": "Aufkommende Themen", "no_emerging": "Kein Thema ist in diesem Lauf als aufkommend markiert.",
    "all_themes": "Alle Themen", "all_themes_intro": "Zum Sortieren auf eine Spaltenüberschrift klicken, auf ein Thema, um seine Kommentare zu lesen. Schlüsselwörter werden je Sprache berechnet.",
    "rank": "Rang", "keywords": "Schlüsselwörter je Sprache", "silos": "Silos", "languages": "Sprachen",
    "nine_plus": "Die 9+-Sicht: außergewöhnliche Erlebnisse", "nine_plus_intro": "Worüber Promotoren (Wert 9-10) sprechen, neben dem, worüber Kritiker (0-6) sprechen. Anteil = Teil aller Promotoren (bzw. Kritiker), deren Kommentar im Thema liegt.",
    "promoters": "Promotoren (9-10)", "detractors": "Kritiker (0-6)", "share": "Anteil", "quote": "Zitat",
    "no_scores": "Keine Zeile trägt in diesem Lauf einen Wert auf der Skala 0-10.",
    "filters": "Filter", "filter_all": "alle", "filter_reset": "Alles zeigen",
    "filter_note": "Die Filter gelten für die Themen, die Schmerzpunkte und die Kommentare; KPI-Tabellen und Diagramme zeigen den ganzen Lauf.",
    "filter_status": "Gezeigte Themen: {themes} · Kommentare: {comments}",
    "filter_match": "passend zu den Filtern: {n} von {size}",
    "filter_nothing": "Kein Thema passt zu den Filtern.",
    "read_comments": "Kommentare lesen",
    "comment_id": "ID", "comment_text": "Kommentar", "sentiment": "Stimmung", "close": "Schließen",
    "comments_shown": "Gezeigte Kommentare: {shown} von {total}, die negativsten zuerst.",
    "comments_capped": "Der Bericht enthält höchstens {cap} Kommentare je Thema; alle stehen in comments.parquet.",
    "comments_none": "Kein Kommentar dieses Themas passt zu den Filtern.",
    "method": "Hinweise zur Methode",
    "method_items": [
        "Text wird geschwärzt (E-Mail, Telefon, IBAN, Karte, URL, genannte Namen), bevor er eingebettet oder gespeichert wird; die Zitate hier sind geschwärzter Text.",
        "Die Stimmung je Kommentar kommt von einem linearen Kopf auf mehrsprachigen Satz-Embeddings. Wert = P(positiv) − P(negativ), von −1 bis 1; der mittlere Wert ist sein Durchschnitt.",
        "Negativ / neutral / positiv: der Anteil der Kommentare einer Gruppe mit diesem Label. Netto-Stimmung = % positiv − % negativ, in Punkten.",
        "NPS = % Promotoren (9-10) − % Kritiker (0-6) unter den Kommentaren mit einem Wert auf der Skala 0-10, von −100 bis 100. CSAT = % der Kommentare mit Wert 4-5 unter denen mit einem Wert auf der Skala 1-5. Die Skala einer Zeile kommt aus ihrer Spalte score_scale, sonst aus der eingestellten Skala ihrer Quelle oder ihres Silos, sonst aus dem Standard (report.default_score_scale); Werte außerhalb der Skala zählen als fehlend.",
        "n ist die Zahl der Kommentare, auf der eine Kennzahl beruht. Kennzahlen mit n unter {min_n} sind grau und markiert, nie ausgeblendet.",
        "Themen sind Cluster der Embeddings über Sprachen und Silos hinweg; Schlüsselwörter sind klassenbasiertes TF-IDF je Sprache. Ein Kommentar, der zu keinem Thema passt, zählt als „in keinem Thema“ und wird nie gereiht; ein Thema, dessen Kommentare einander kaum ähnlicher sind als der ganze Lauf, ist als inkohärent markiert.",
        "Wert eines gemeinsamen Schmerzpunkts = negative Kommentare × (1 + gewichtete Streuung über Silos, Säulen, Kanäle und Sprachen).",
        "Verläufe lesen kpi_history/: eine Partition je Nacht; ein erneuter Lauf einer Nacht ersetzt sie.",
        "Filter und Kommentare funktionieren innerhalb dieser Datei, ohne Netzwerk: Sie enthält bis zu {cap} Kommentare je Thema (die negativsten zuerst, verteilt über Silos, Säulen, Sprachen und Kanäle) und die Zahlen jedes Themas.",
    ],
    "generated": "Aus den Ausgabedateien des Laufs erzeugt; neu bauen mit `txnlp report --run DIR`.",
}

RU = {
    "title": "Отчёт по отзывам Total Experience",
    "run": "Запуск", "created": "создан", "version": "txnlp",
    "contents": "Содержание",
    "summary": "Сводка запуска", "rows_in": "строк на входе", "rows_out": "отзывов обработано",
    "rows_quarantined": "строк в карантине", "themes": "тем", "unthemed_count": "вне всех тем",
    "too_few_comments": "Слишком мало комментариев в этом запуске, чтобы выделить темы (меньше {need}): все комментарии учтены вне тем.",
    "quarantine_reasons": "Причины карантина", "reason": "Причина", "rows": "Строки", "no_quarantine": "Строк в карантине нет.",
    "inputs": "Входные файлы", "file": "Файл", "models": "Использованные модели", "redactions": "Скрытые данные",
    "kpi_pillar": "KPI по направлениям TX", "kpi_other": "KPI по аудиториям, каналам и языкам",
    "kpi_trend": "Динамика за прошлые ночи", "one_night": "В истории пока только одна ночь: линии растут с каждым ночным запуском.",
    "pillar": "Направление", "audience": "Аудитория", "channel": "Канал", "language": "Язык", "theme": "Тема",
    "volume": "Отзывы", "share_negative": "Негатив", "share_neutral": "Нейтрально", "share_positive": "Позитив",
    "net_sentiment": "Чистая тональность", "mean_sentiment": "Средняя оценка", "nps": "NPS", "csat": "CSAT",
    "small_n": "малая выборка (n меньше {min_n}): читать с осторожностью",
    "negative": "негатив", "neutral": "нейтрально", "positive": "позитив", "unknown": "неизвестно",
    "negative_count": "негативных: {n}",
    "chart_sentiment_pillar": "Тональность по направлениям (% отзывов)", "chart_trend_net": "Чистая тональность по направлениям (пункты)",
    "chart_trend_nps": "NPS по направлениям (пункты)", "chart_silos": "Негативные отзывы по аудиториям",
    "chart_nine": "Промоутеры и критики по темам (отзывы)",
    "pain_points": "Общие болевые точки", "pain_points_intro": "Ранжированы по объёму негатива, умноженному на охват аудиторий, направлений, каналов и языков. Цитаты — самые негативные отзывы каждой аудитории, рядом друг с другом.",
    "shared_flag": "общая для нескольких аудиторий", "single_flag": "одна аудитория",
    "negative_of": "негативных: {neg} из {n}", "score": "балл", "size": "Размер",
    "why": "Почему здесь",
    "why_negative": "негативных отзывов: {neg} из {n}", "why_by_silo": "негатив по аудиториям: {silos}",
    "why_spread": "направлений: {pillars}, каналов: {channels}, языков: {languages}",
    "why_link": "жалуются и сотрудники, и клиенты (связь EX-CX)",
    "incoherent": "несвязная тема: читать с осторожностью", "coherence": "связность {value}",
    "unthemed": "вне всех тем",
    "ex_cx": "Где встречаются сотрудники и клиенты (от EX к CX)",
    "ex_cx_intro": "Темы, где негативных отзывов не меньше {n} и от сотрудников, и от клиентов: с чем борется персонал — рядом с тем, что чувствуют клиенты.",
    "employees": "Сотрудники", "customers": "Клиенты", "no_ex_cx": "Ни в одной теме этого запуска негативных отзывов не меньше {n} и от сотрудников, и от клиентов.",
    "emerging": "Новые темы", "no_emerging": "В этом запуске нет тем, отмеченных как новые.",
    "all_themes": "Все темы", "all_themes_intro": "Нажмите на заголовок столбца, чтобы отсортировать, на тему — чтобы прочитать её отзывы. Ключевые слова считаются по каждому языку.",
    "rank": "Место", "keywords": "Ключевые слова по языкам", "silos": "Аудитории", "languages": "Языки",
    "nine_plus": "Взгляд 9+: исключительный опыт", "nine_plus_intro": "О чём говорят промоутеры (оценка 9-10) — рядом с тем, о чём говорят критики (0-6). Доля — часть всех промоутеров (или критиков), чей отзыв попал в тему.",
    "promoters": "Промоутеры (9-10)", "detractors": "Критики (0-6)", "share": "Доля", "quote": "Цитата",
    "no_scores": "Ни в одной строке этого запуска нет оценки по шкале 0-10.",
    "filters": "Фильтры", "filter_all": "все", "filter_reset": "Показать всё",
    "filter_note": "Фильтры действуют на темы, болевые точки и отзывы; таблицы KPI и графики показывают весь запуск.",
    "filter_status": "Показано тем: {themes} · отзывов: {comments}",
    "filter_match": "подходит под фильтры: {n} из {size}",
    "filter_nothing": "Ни одна тема не подходит под фильтры.",
    "read_comments": "Читать отзывы",
    "comment_id": "ID", "comment_text": "Отзыв", "sentiment": "Тональность", "close": "Закрыть",
    "comments_shown": "Показано отзывов: {shown} из {total}, сначала самые негативные.",
    "comments_capped": "В отчёте не больше {cap} отзывов на тему; все отзывы есть в comments.parquet.",
    "comments_none": "Ни один отзыв этой темы не подходит под фильтры.",
    "method": "Заметки о методе",
    "method_items": [
        "Текст обезличивается (e-mail, телефон, IBAN, карта, URL, названные имена) до того, как его векторизуют или сохраняют; цитаты здесь — обезличенный текст.",
        "Тональность отзыва даёт линейная голова поверх многоязычных векторов предложений. Оценка = P(позитив) − P(негатив), от −1 до 1; средняя оценка — её среднее.",
        "Негатив / нейтрально / позитив: доля отзывов группы с этой меткой. Чистая тональность = % позитива − % негатива, в пунктах.",
        "NPS = % промоутеров (9-10) − % критиков (0-6) среди отзывов с оценкой по шкале 0-10, от −100 до 100. CSAT = % отзывов с оценкой 4-5 среди оценённых по шкале 1-5. Шкала строки берётся из её столбца score_scale, иначе из заданной шкалы её источника или аудитории, иначе по умолчанию (report.default_score_scale); оценки вне шкалы считаются отсутствующими.",
        "n — число отзывов, по которым посчитан показатель. Показатели с n меньше {min_n} выделены серым и помечены, но не скрыты.",
        "Темы — кластеры векторов поверх языков и аудиторий; ключевые слова — TF-IDF по классам для каждого языка. Отзыв, который не подходит ни к одной теме, учитывается как «вне всех тем» и никогда не ранжируется; тема, отзывы которой похожи друг на друга не больше, чем весь запуск, помечена как несвязная.",
        "Балл общей болевой точки = негативные отзывы × (1 + взвешенный охват аудиторий, направлений, каналов и языков).",
        "Динамика читается из kpi_history/: один раздел на ночь; повторный запуск ночи заменяет его.",
        "Фильтры и отзывы работают внутри этого файла, без сети: в нём до {cap} отзывов на тему (сначала самые негативные, вперемешку по аудиториям, направлениям, языкам и каналам) и счётчики каждой темы.",
    ],
    "generated": "Построен по выходным файлам запуска; пересобрать: `txnlp report --run DIR`.",
}

STRINGS: dict[str, dict] = {"en": EN, "nl": NL, "de": DE, "ru": RU}

# The strings report.js fills in itself (filter counts, the comments dialog); they reach it as JSON in the page.
SCRIPT_KEYS: tuple[str, ...] = ("filter_status", "filter_match", "comments_shown", "comments_capped", "comments_none",
                                "negative", "neutral", "positive", "unknown")

# decimal mark, thousands separator
NUMBER_FORMATS = {"en": (".", ","), "nl": (",", "."), "de": (",", "."), "ru": (",", "\u202f")}
# strftime patterns: (date, date and time)
DATE_FORMATS = {"en": ("%Y-%m-%d", "%Y-%m-%d %H:%M"), "nl": ("%d-%m-%Y", "%d-%m-%Y %H:%M"),
                "de": ("%d.%m.%Y", "%d.%m.%Y %H:%M"), "ru": ("%d.%m.%Y", "%d.%m.%Y %H:%M")}


class Strings(ChainMap):
    """Words by key, also readable as attributes (`t.title`) in code and templates."""

    def __getattr__(self, key: str):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


def strings_for(lang: str) -> Strings:
    """The report's words in `lang`; a language code the report has no words for gets English."""
    return Strings(STRINGS.get(lang, {}), EN)


def script_strings(lang: str) -> dict[str, str]:
    """The words report.js needs, from the same dicts the template reads."""
    t = strings_for(lang)
    return {key: t[key] for key in SCRIPT_KEYS}


class NumberFormat:
    """Numbers and dates for humans in the report language: 1,234 · 43% · +12 · −0.21 · 30.11.2026."""

    def __init__(self, lang: str = "en"):
        self.decimal, self.thousands = NUMBER_FORMATS.get(lang, NUMBER_FORMATS["en"])
        self._day, self._moment = DATE_FORMATS.get(lang, DATE_FORMATS["en"])

    @property
    def plotly_separators(self) -> str:
        """Plotly's `layout.separators`: decimal mark then thousands separator, so hover figures match the tables."""
        return self.decimal + self.thousands

    def _swap(self, text: str) -> str:
        return text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.thousands)

    def number(self, value, digits: int = 0, signed: bool = False) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        text = self._swap(f"{value:{'+' if signed else ''},.{digits}f}")
        return text.replace("-", "\u2212")

    def percent(self, share, digits: int = 0) -> str:
        return "–" if share is None else self.number(100 * share, digits) + "%"

    def points(self, share) -> str:
        return "–" if share is None else self.number(100 * share, 0, signed=True)

    def date(self, value) -> str:
        """An ISO date ("2026-11-30") or timestamp ("2026-11-30T22:10:00+00:00"); text that is neither stays as it is.

        A timestamp keeps its own clock time and says "UTC" when it is in UTC, so the reader knows which clock.
        """
        text = str(value or "")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        if len(text) <= 10:
            return moment.strftime(self._day)
        offset = moment.utcoffset()
        zone = "" if offset is None else " UTC" if not offset else moment.strftime(" UTC%z")
        return moment.strftime(self._moment) + zone
