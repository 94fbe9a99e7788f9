"""Keep the index of CASE objects (`exchange.models.CaseObject`) true to the packages."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from exchange.models import CaseObject
from frameworks.models import Domain, Framework, Level, Occupation, ProficiencyScale, Section, Statement


@receiver([post_save, post_delete], sender=Framework)
@receiver([post_save, post_delete], sender=Statement)
def forget_framework_objects(sender, instance, **kwargs):
    framework_id = instance.pk if sender is Framework else instance.framework_id
    CaseObject.objects.filter(framework_id=framework_id).delete()


@receiver(post_save, sender=Occupation)
def forget_occupation_objects(sender, instance, **kwargs):
    # Identifiers derive from the SOC code, which a curator may correct.
    CaseObject.objects.filter(framework__occupation=instance).delete()


@receiver([post_save, post_delete], sender=Section)
@receiver([post_save, post_delete], sender=Domain)
@receiver([post_save, post_delete], sender=Level)
@receiver([post_save, post_delete], sender=ProficiencyScale)
def forget_all_objects(sender, **kwargs):
    # Every package's structure derives its identifiers from these keys.
    CaseObject.objects.all().delete()
