"""Each indexed petition keeps its exact 3-gram set; existing entries are recomputed from their texts.

``shingles`` now counts the text's distinct 3-grams (it held the number of band keys before), the
bound that lets a lookup skip candidates too short or too long to reach the threshold.
"""

from typing import Any

from django.db import migrations, models

BATCH = 2000


def fill_grams(apps: Any, schema_editor: Any) -> None:
    from xinfang.analytics import fingerprints

    TextFingerprint = apps.get_model("analytics", "TextFingerprint")
    TextBand = apps.get_model("analytics", "TextBand")
    Petition = apps.get_model("petitions", "Petition")
    last = 0
    while True:
        ids = list(
            TextFingerprint.objects.filter(petition_id__gt=last)
            .order_by("petition_id")
            .values_list("petition_id", flat=True)[:BATCH]
        )
        if not ids:
            return
        rows = Petition.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "subject", "request", "facts")
        texts = {pk: f"{s} {r} {f}" for pk, s, r, f in rows}
        order = [pk for pk in ids if pk in texts]
        prints = fingerprints.many_fingerprints(texts[pk] for pk in order)
        entries = []
        for pk, found in zip(order, prints, strict=True):
            entries.append(
                TextFingerprint(
                    petition_id=pk,
                    text_hash=found.digest,
                    shingles=found.size,
                    grams=found.packed,
                )
            )
        TextFingerprint.objects.bulk_update(entries, ["text_hash", "shingles", "grams"], batch_size=500)
        # The keys follow the current text too, so entry and keys agree.
        TextBand.objects.filter(petition_id__in=order).delete()
        TextBand.objects.bulk_create(
            [TextBand(key=key, petition_id=pk) for pk, found in zip(order, prints) for key in set(found.keys)],
            batch_size=2000,
        )
        last = ids[-1]


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="textfingerprint",
            name="grams",
            field=models.BinaryField(editable=False, null=True, verbose_name="3-gram set"),
        ),
        migrations.RunPython(fill_grams, migrations.RunPython.noop, elidable=True),
    ]
