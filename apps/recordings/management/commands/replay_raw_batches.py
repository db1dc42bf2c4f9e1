from datetime import timedelta

from django.core.management.base import BaseCommand

from apps.recordings.services import raw_batches_replay_stale


class Command(BaseCommand):
    help = "Store the events of raw batches a crash left behind."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=300,
            help="Only batches received this many seconds ago or earlier.",
        )

    def handle(self, *args, older_than, **options):
        replayed = raw_batches_replay_stale(older_than=timedelta(seconds=older_than))
        self.stdout.write(f"Replayed {replayed} raw batches.")
