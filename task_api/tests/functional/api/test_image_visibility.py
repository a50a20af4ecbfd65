"""GET /v2/images/{image_id}/tasks on a database that holds Glance's images.

Glance's ``images`` and ``image_members`` tables (the columns the rules
read, as Glance defines them) sit beside task_api's in the test database,
as in glance-api's own database.
"""


from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests import fixtures as task_fixtures
from task_api.tests import glance_tables
from task_api.tests.unit.api import base as api_base

OWNER = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'
MEMBER = 'cccccccc-3333-4333-8333-cccccccccccc'
STRANGER = 'dddddddd-4444-4444-8444-dddddddddddd'

_METADATA = glance_tables.METADATA
_IMAGES = glance_tables.IMAGES
_IMAGE_MEMBERS = glance_tables.IMAGE_MEMBERS


def image_id(number):
    return '39bb149a-5c1e-4b1f-9a7e-%012d' % number


class ImageVisibilityMixin:

    def setUp(self):
        super().setUp()
        engine = sqla_api.get_engine()
        _METADATA.create_all(engine)
        self.addCleanup(_METADATA.drop_all, engine)
        images = [
            (1, OWNER, 'private', False), (2, OWNER, 'public', False),
            (3, OWNER, 'community', False), (4, OWNER, 'shared', False),
            (5, OWNER, 'shared', False), (6, OWNER, 'private', True),
            (7, None, 'private', False), (8, OWNER, 'private', False)]
        members = [(4, MEMBER, 'accepted', False),
                   (5, MEMBER, 'pending', False),
                   (8, MEMBER, 'accepted', False),
                   (6, MEMBER, 'accepted', False)]
        with engine.begin() as connection:
            connection.execute(_IMAGES.insert(), [
                {'id': image_id(n), 'status': 'active', 'owner': owner,
                 'visibility': visibility, 'deleted': deleted}
                for n, owner, visibility, deleted in images])
            connection.execute(_IMAGE_MEMBERS.insert(), [
                {'image_id': image_id(n), 'member': member,
                 'status': status, 'deleted': deleted}
                for n, member, status, deleted in members])
        for n in range(1, 10):
            for owner in (OWNER, MEMBER):
                base.insert_task_rows(
                    engine, id='00000000-0000-4000-8%03d-%012d' % (
                        n, 1 if owner == OWNER else 2),
                    image_id=image_id(n), owner=owner,
                    created_at=base.get_test_task()['created_at'],
                    updated_at=base.get_test_task()['created_at'])

    def listed(self, number, project, roles='reader,member', status=200):
        response = self.get('/images/%s/tasks' % image_id(number),
                            headers=dict(api_base.member_of(project, roles),
                                         Accept='application/json'),
                            status=status)
        if status == 404:
            self.assertEqual('404 Not Found', response.json['code'])
            self.assertTrue(response.json['message'].startswith(
                'The resource could not be found.'), response.json)
            return None
        return [task['owner'] for task in response.json['tasks']]

    def test_unknown_image_is_404_even_for_an_administrator(self):
        self.listed(9, MEMBER, status=404)
        self.get('/images/%s/tasks' % image_id(9), status=404)
        self.get('/images/%s/tasks' % image_id(9), status=404,
                 headers=api_base.member_of(OWNER, 'admin'))

    def test_the_owner_sees_its_images_tasks(self):
        for number in (1, 2, 3, 4, 5, 8):
            self.assertEqual([OWNER], self.listed(number, OWNER))

    def test_visible_images_of_other_projects(self):
        # Public, community, and shared with the caller's project
        # (whatever the member's status, as Glance shows it).
        for number in (2, 3, 4, 5):
            self.assertEqual([MEMBER], self.listed(number, MEMBER))

    def test_invisible_images_are_404(self):
        # Private to another project; private although the caller is
        # listed as a member; shared with others only; deleted.
        self.listed(1, MEMBER, status=404)
        self.listed(8, MEMBER, status=404)
        self.listed(4, STRANGER, status=404)
        self.listed(6, OWNER, status=404)
        self.listed(6, MEMBER, status=404)

    def test_administrators_see_every_image(self):
        for number in (1, 4, 8):
            self.assertEqual(
                [OWNER, MEMBER],
                sorted(self.listed(number, STRANGER, roles='admin')))

    def test_get_image_is_enforced_on_the_image(self):
        self.set_policy({'get_image': 'project_id:%(project_id)s'})
        self.assertEqual([OWNER], self.listed(1, OWNER))
        self.listed(2, MEMBER, status=404)
        self.set_policy({'get_image': 'project_id:%(member_id)s or '
                                      'project_id:%(project_id)s'})
        self.assertEqual([MEMBER], self.listed(4, MEMBER))
        self.listed(2, MEMBER, status=404)
        # An image without owner is visible to all, if get_image allows.
        self.listed(7, MEMBER, status=404)
        self.set_policy({'get_image': ''})
        self.assertEqual([MEMBER], self.listed(7, MEMBER))
        self.listed(1, MEMBER, status=404)


class TestImageVisibilitySQLite(ImageVisibilityMixin, api_base.ApiTestCase):
    pass


class TestImageVisibilityPostgreSQL(ImageVisibilityMixin,
                                    api_base.ApiTestCase):
    FIXTURE = task_fixtures.PostgreSQLDatabase


class TestImageVisibilityMySQL(ImageVisibilityMixin, api_base.ApiTestCase):
    FIXTURE = task_fixtures.MySQLDatabase
